package io.meshorch.meshctl.local;

import io.meshorch.cni.CniServiceApplication;
import io.meshorch.infra.InfraServiceApplication;
import io.meshorch.lb.LbServiceApplication;
import io.meshorch.mesh.MeshServiceApplication;
import io.meshorch.meshctl.cli.MeshBus;
import io.meshorch.rke.RkeServiceApplication;
import io.meshorch.sandbox.core.SandboxLatencies;
import io.meshorch.sandbox.core.SandboxRecorder;
import io.meshorch.sandbox.kube.SandboxKube;
import io.meshorch.sandbox.openstack.SandboxCloud;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Local mode: an embedded KRaft broker (log kept in the data folder), the sandbox cloud (OpenStack
 * APIs, SSH daemons as VMs, the {@code rke} stand-in, Kubernetes API servers with kubelet, Cilium
 * and MetalLB controllers) and the five services, each in its own Spring context, configured
 * exactly as they would be against a real cloud: only endpoints and files differ.
 *
 * <p>The sandbox's steps take {@link #DEFAULT_LATENCIES} unless other {@link SandboxLatencies} are
 * given (see {@link #latencies(List)}); both sandboxes share one {@link SandboxRecorder}: the step
 * log and side-effect counters of the whole sandbox.
 */
public final class LocalStack implements MeshBus {
  /** The sandbox's pace in local mode: the fast profile, stacks in 1.5 s, VMs booted in 0.5 s. */
  public static final SandboxLatencies DEFAULT_LATENCIES =
      SandboxLatencies.parse("fast,heat-stack=1.5s,vm-boot=500ms");

  private static final AtomicInteger STARTERS = new AtomicInteger();

  private final Path dataDir;
  private final LocalKafkaBroker broker;
  private final String externalBootstrap;
  private final SandboxLatencies latencies;
  private final Map<String, String> serviceSettings;
  private final List<ConfigurableApplicationContext> services = new ArrayList<>();
  private SandboxPlatform sandbox;

  private LocalStack(
      Path dataDir,
      String externalBootstrap,
      SandboxLatencies latencies,
      Map<String, String> serviceSettings) {
    this.dataDir = dataDir.toAbsolutePath();
    this.externalBootstrap = externalBootstrap;
    this.latencies = latencies;
    this.serviceSettings = Map.copyOf(serviceSettings);
    this.broker =
        externalBootstrap == null ? new LocalKafkaBroker(this.dataDir.resolve("kafka")) : null;
  }

  /**
   * Starts the broker and, with {@code withServices}, the sandbox and the services.
   *
   * @param dataDir the local folder (created when missing)
   */
  public static LocalStack start(Path dataDir, boolean withServices) {
    return start(dataDir, withServices, DEFAULT_LATENCIES);
  }

  /**
   * Starts the broker and, with {@code withServices}, the sandbox (its steps taking {@code
   * latencies}) and the services.
   *
   * @param dataDir the local folder (created when missing)
   */
  public static LocalStack start(Path dataDir, boolean withServices, SandboxLatencies latencies) {
    return start(dataDir, withServices, latencies, Map.of());
  }

  /**
   * {@link #start(Path, boolean, SandboxLatencies)} with {@code serviceSettings} (Spring
   * properties, e.g. {@code mesh.service.recheck.max=200ms}) given to every one of the five
   * services, after the sandbox's own settings, as an operator's {@code --name=value} would be. For
   * a benchmark that must say which settings differ from the defaults; local mode itself gives
   * none.
   */
  public static LocalStack start(
      Path dataDir,
      boolean withServices,
      SandboxLatencies latencies,
      Map<String, String> serviceSettings) {
    return start(new LocalStack(dataDir, null, latencies, serviceSettings), withServices);
  }

  /**
   * The sandbox and the services against a Kafka cluster that runs elsewhere (a container, a test
   * cluster) instead of the embedded broker.
   */
  public static LocalStack startAgainst(Path dataDir, String bootstrapServers) {
    return startAgainst(dataDir, bootstrapServers, DEFAULT_LATENCIES);
  }

  /** {@link #startAgainst(Path, String)} with the sandbox's steps taking {@code latencies}. */
  public static LocalStack startAgainst(
      Path dataDir, String bootstrapServers, SandboxLatencies latencies) {
    return start(new LocalStack(dataDir, bootstrapServers, latencies, Map.of()), true);
  }

  /**
   * {@link #DEFAULT_LATENCIES} changed by latency specs in order (see {@link SandboxLatencies}): a
   * spec naming a profile replaces the default, one without changes it.
   *
   * @throws IllegalArgumentException naming the first bad token
   */
  public static SandboxLatencies latencies(List<String> specs) {
    SandboxLatencies out = DEFAULT_LATENCIES;
    for (String spec : specs) {
      out = out.with(spec);
    }
    return out;
  }

  private static LocalStack start(LocalStack stack, boolean withServices) {
    // The services' logging (re)starts with each Spring context: send it to this data folder.
    System.setProperty("MESHCTL_LOG_DIR", stack.dataDir.resolve("logs").toString());
    try {
      if (withServices) {
        // The sandbox does not need the broker: start both at once.
        CompletableFuture<Void> broker =
            stack.broker == null
                ? CompletableFuture.completedFuture(null)
                : CompletableFuture.runAsync(stack.broker::start, r -> daemon(r).start());
        RuntimeException failure = null;
        try {
          stack.sandbox = SandboxPlatform.start(stack.dataDir, stack.latencies);
        } catch (RuntimeException e) {
          failure = e;
        }
        try {
          broker.join();
        } catch (CompletionException e) {
          if (failure == null) {
            failure = e.getCause() instanceof RuntimeException r ? r : e;
          }
        }
        if (failure != null) {
          throw failure;
        }
        stack.startServices();
      } else if (stack.broker != null) {
        stack.broker.start();
      }
      return stack;
    } catch (RuntimeException e) {
      stack.close();
      throw e;
    }
  }

  /**
   * Starts the five services: the first alone, since its context (re)initialises the process's
   * logging for this data folder, then the other four at once with Spring's logging system left
   * alone (their logging is the same), which on two cores takes about half the time of starting
   * them one after another. A failed start closes the ones that started, through {@link #close()}.
   */
  private void startServices() {
    Map<String, Object> common = new HashMap<>();
    common.put("spring.kafka.bootstrap-servers", bootstrapServers());
    common.put("server.port", "0");
    common.put("spring.main.banner-mode", "off");
    common.put("logging.config", "classpath:logback.xml");

    services.add(run(InfraServiceApplication.class, InfraServiceApplication.CONFIG_NAME, common));
    String loggingSystem = System.getProperty(LoggingSystem.SYSTEM_PROPERTY);
    System.setProperty(LoggingSystem.SYSTEM_PROPERTY, LoggingSystem.NONE);
    ExecutorService pool = Executors.newFixedThreadPool(4, LocalStack::daemon);
    try {
      List<Future<ConfigurableApplicationContext>> started =
          List.of(
              pool.submit(
                  () ->
                      run(RkeServiceApplication.class, RkeServiceApplication.CONFIG_NAME, common)),
              pool.submit(
                  () ->
                      run(CniServiceApplication.class, CniServiceApplication.CONFIG_NAME, common)),
              pool.submit(
                  () -> run(LbServiceApplication.class, LbServiceApplication.CONFIG_NAME, common)),
              pool.submit(
                  () ->
                      run(
                          MeshServiceApplication.class,
                          MeshServiceApplication.CONFIG_NAME,
                          common)));
      RuntimeException failure = null;
      for (Future<ConfigurableApplicationContext> f : started) {
        try {
          services.add(f.get());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          failure = new IllegalStateException("interrupted while starting the services", e);
        } catch (ExecutionException e) {
          if (failure == null) {
            failure =
                e.getCause() instanceof RuntimeException r
                    ? r
                    : new IllegalStateException(e.getCause());
          }
        }
      }
      if (failure != null) {
        throw failure;
      }
    } finally {
      pool.shutdown();
      if (loggingSystem == null) {
        System.clearProperty(LoggingSystem.SYSTEM_PROPERTY);
      } else {
        System.setProperty(LoggingSystem.SYSTEM_PROPERTY, loggingSystem);
      }
    }
  }

  private static Thread daemon(Runnable r) {
    Thread t = new Thread(r, "local-start-" + STARTERS.incrementAndGet());
    t.setDaemon(true);
    return t;
  }

  private ConfigurableApplicationContext run(
      Class<?> application, String configName, Map<String, Object> common) {
    // Command-line arguments, not default properties: they must win over the service's own
    // <name>.yml, exactly as an operator's --name=value or environment would.
    Map<String, Object> properties = new HashMap<>(common);
    properties.putAll(sandbox.settings(configName));
    properties.putAll(serviceSettings);
    String[] args =
        properties.entrySet().stream()
            .map(e -> "--" + e.getKey() + "=" + e.getValue())
            .toArray(String[]::new);
    return new SpringApplicationBuilder(application)
        .properties("spring.config.name=" + configName)
        .run(args);
  }

  @Override
  public String bootstrapServers() {
    return broker != null ? broker.bootstrapServers() : externalBootstrap;
  }

  /** The sandbox cloud (null when started without services); for tests and diagnostics. */
  public SandboxCloud cloud() {
    return sandbox == null ? null : sandbox.cloud();
  }

  /** The sandbox Kubernetes side (null when started without services). */
  public SandboxKube kube() {
    return sandbox == null ? null : sandbox.kube();
  }

  /** The sandbox's step latencies. */
  public SandboxLatencies latencies() {
    return latencies;
  }

  /** The settings given to every service on top of their own and the sandbox's (often none). */
  public Map<String, String> serviceSettings() {
    return serviceSettings;
  }

  /**
   * The step log and side-effect counters of the whole sandbox (cloud and Kubernetes), e.g. for a
   * benchmark or a restart test.
   */
  public SandboxRecorder recorder() {
    return sandbox == null ? null : sandbox.recorder();
  }

  /** The folder of the file secret store the services share. */
  public Path secretsDir() {
    return dataDir.resolve("secrets");
  }

  @Override
  public void close() {
    for (int i = services.size() - 1; i >= 0; i--) {
      services.get(i).close();
    }
    services.clear();
    if (sandbox != null) {
      sandbox.close();
    }
    if (broker != null) {
      broker.close();
    }
  }
}
