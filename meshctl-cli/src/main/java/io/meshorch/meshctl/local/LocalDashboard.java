package io.meshorch.meshctl.local;

import io.meshorch.dashboard.DashboardApplication;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.server.servlet.ConfigurableServletWebServerFactory;
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
   * port), its web server's files in {@code dir}{@code /dashboard} (Tomcat's base folder, and an
   * empty document root: the pages are served from the class path). Spring Boot's default is two
   * new folders in the machine's temporary folder per start, and a {@code serve} ended by a signal
   * left them there. The process's logging, set up by local mode, is left as it is.
   */
  public static LocalDashboard start(String bootstrapServers, int port, Path dir) {
    Path files = dir.resolve("dashboard").toAbsolutePath();
    Path documentRoot;
    try {
      documentRoot = Files.createDirectories(files.resolve("docroot"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the dashboard's folder " + files, e);
    }
    String loggingSystem = System.getProperty(LoggingSystem.SYSTEM_PROPERTY);
    System.setProperty(LoggingSystem.SYSTEM_PROPERTY, LoggingSystem.NONE);
    try {
      return new LocalDashboard(
          new SpringApplicationBuilder(DashboardApplication.class)
              .properties("spring.config.name=" + DashboardApplication.CONFIG_NAME)
              .initializers(
                  context ->
                      context
                          .getBeanFactory()
                          .registerSingleton(
                              "localDashboardDocumentRoot", new DocumentRootIn(documentRoot)))
              .run(
                  "--spring.kafka.bootstrap-servers=" + bootstrapServers,
                  "--server.port=" + port,
                  "--server.address=127.0.0.1",
                  "--server.tomcat.basedir=" + files,
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

  /** Sets the web server's document root (Spring Boot has no setting for it). */
  private record DocumentRootIn(Path folder)
      implements WebServerFactoryCustomizer<ConfigurableServletWebServerFactory> {
    @Override
    public void customize(ConfigurableServletWebServerFactory factory) {
      factory.setDocumentRoot(folder.toFile());
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
