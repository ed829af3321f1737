package io.meshorch.meshctl.local;

import io.meshorch.dashboard.DashboardApplication;
import java.util.Objects;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The dashboard application in this process, reading a local platform's broker and answering on the
 * loopback address only (local mode is one user's). Its URL is what {@code serve} prints.
 */
public final class LocalDashboard implements AutoCloseable {
  /**
   * The services' kit is on this process's class path for the services' contexts; the dashboard is
   * no service and must not get its beans (a publisher, a step engine, their settings).
   */
  private static final String SERVICE_KIT = "io.meshorch.kit.config.MeshKitAutoConfiguration";

  private final ConfigurableApplicationContext context;
  private final int port;

  private LocalDashboard(ConfigurableApplicationContext context) {
    this.context = context;
    this.port =
        Integer.parseInt(
            Objects.requireNonNull(
                context.getEnvironment().getProperty("local.server.port"), "local.server.port"));
  }

  /**
   * Starts the dashboard against {@code bootstrapServers} on {@code port} of 127.0.0.1 (0: a free
   * port). The process's logging, set up by local mode, is left as it is.
   */
  public static LocalDashboard start(String bootstrapServers, int port) {
    String loggingSystem = System.getProperty(LoggingSystem.SYSTEM_PROPERTY);
    System.setProperty(LoggingSystem.SYSTEM_PROPERTY, LoggingSystem.NONE);
    try {
      return new LocalDashboard(
          new SpringApplicationBuilder(DashboardApplication.class)
              .properties("spring.config.name=" + DashboardApplication.CONFIG_NAME)
              .run(
                  "--spring.kafka.bootstrap-servers=" + bootstrapServers,
                  "--server.port=" + port,
                  "--server.address=127.0.0.1",
                  "--spring.autoconfigure.exclude=" + SERVICE_KIT,
                  "--spring.main.banner-mode=off"));
    } finally {
      if (loggingSystem == null) {
        System.clearProperty(LoggingSystem.SYSTEM_PROPERTY);
      } else {
        System.setProperty(LoggingSystem.SYSTEM_PROPERTY, loggingSystem);
      }
    }
  }

  /** Where a browser opens it, e.g. {@code http://127.0.0.1:8090/}. */
  public String url() {
    return "http://127.0.0.1:" + port + "/";
  }

  /** The URL that opens mesh {@code meshId}. */
  public String meshUrl(String meshId) {
    return url()
        + "#/mesh/"
        + java.net.URLEncoder.encode(meshId, java.nio.charset.StandardCharsets.UTF_8)
            .replace("+", "%20");
  }

  @Override
  public void close() {
    context.close();
  }
}
