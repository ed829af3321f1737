package io.meshorch.meshctl.local;

import io.meshorch.cni.CniServiceApplication;
import io.meshorch.infra.InfraServiceApplication;
import io.meshorch.lb.LbServiceApplication;
import io.meshorch.local.LocalKafkaBroker;
import io.meshorch.local.SandboxPlatform;
import io.meshorch.mesh.MeshServiceApplication;
import io.meshorch.mesh.domain.MeshLedger;
import io.meshorch.meshctl.cli.MeshBus;
import io.meshorch.rke.RkeServiceApplication;
import io.meshorch.sandbox.core.SandboxLatencies;
import io.meshorch.sandbox.core.SandboxRecorder;
import io.meshorch.sandbox.kube.SandboxKube;
import io.meshorch.sandbox.openstack.SandboxCloud;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.InstantiationAwareBeanPostProcessor;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.logging.LoggingInitializationContext;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.core.env.StandardEnvironment;

/**
 * Local mode: an embedded KRaft broker (log kept in the data folder), the sandbox cloud (OpenStack
 * APIs, SSH daemons as VMs, the {@code rke} stand-in, Kubernetes API servers with kubelet, Cilium
 * and MetalLB controllers) and the five services, each in its own Spring context, configured
 * exactly as they would be against a real cloud: only endpoints and files differ, and local mode
 * runs them without their web servers (it publishes no HTTP port).
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

  /** The five services, by application class, with their config names (flow order). */
  private static final Map<Class<?>, String> SERVICES = services();

  private static final String LOGGING_CONFIG = "classpath:logback.xml";

  /**
   * Beans the services build from Kafka while their contexts are created: mesh-service's ledger
   * replays the topics (which meshes wait for which clusters). Without the gate it would wait for
   * the broker in its own replay, bounded by {@code mesh.service.replay-timeout}.
   */
  private static final Set<Class<?>> BUILT_FROM_KAFKA = Set.of(MeshLedger.class);

  /** How long a service's context waits for the embedded broker's start (a bound, not a pace). */
  private static final Duration BROKER_START_TIMEOUT = Duration.ofMinutes(3);

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
    // Local mode's logging (logback.xml) goes to this data folder.
    System.setProperty("MESHCTL_LOG_DIR", stack.dataDir.resolve("logs").toString());
    if (withServices) {
      // cni-service's Helm unpacks 94 MB each start; a local mode killed before left its copy.
      for (Path left : LeftLibraries.deleteFrom(Path.of(System.getProperty("java.io.tmpdir")))) {
        System.err.println(
            "meshctl: deleted "
                + left
                + ", helm-java's library left by a local mode that was"
                + " killed");
      }
    }
    try {
      if (withServices) {
        stack.startWithServices();
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
   * Starts the broker, the sandbox and the five services with as little waiting as two cores allow:
   * the broker starts on its own thread while the sandbox starts, and the services' contexts are
   * built as soon as the sandbox's settings exist; each context then waits for the broker (a {@link
   * BrokerGate}) only where it first talks to Kafka.
   */
  private void startWithServices() {
    initializeLogging();
    CompletableFuture<Void> brokerUp =
        broker == null
            ? CompletableFuture.completedFuture(null)
            : CompletableFuture.runAsync(broker::start, r -> daemon(r).start());
    try {
      sandbox = SandboxPlatform.start(dataDir, latencies);
      startServices(brokerUp);
    } catch (RuntimeException e) {
      // close() may stop the broker only once its start has ended; its own failure says most.
      RuntimeException brokerFailure = settle(brokerUp);
      throw brokerFailure != null ? brokerFailure : e;
    }
  }

  /**
   * Sets up the process's logging for this data folder once, as the first service's context would
   * (Spring's logging system, {@code logback.xml}, JUL bridged), so that the services' contexts can
   * all start at once with Spring's logging system left alone: their logging is the same.
   */
  private static void initializeLogging() {
    LoggingSystem logging = LoggingSystem.get(LocalStack.class.getClassLoader());
    logging.beforeInitialize();
    logging.initialize(
        new LoggingInitializationContext(new StandardEnvironment()), LOGGING_CONFIG, null);
  }

  /**
   * Starts the five services at once, each in its own context. A failed start closes the ones that
   * started, through {@link #close()}.
   */
  private void startServices(CompletableFuture<Void> brokerUp) {
    Map<String, Object> common = new HashMap<>();
    common.put("spring.kafka.bootstrap-servers", bootstrapServers());
    // Local mode publishes no HTTP port (a random one per service would reach nobody): the
    // services run without a web server; health and metrics are served when they run as their
    // own applications.
    common.put("spring.main.web-application-type", "none");
    common.put("spring.main.banner-mode", "off");
    common.put("logging.config", LOGGING_CONFIG);

    String loggingSystem = System.getProperty(LoggingSystem.SYSTEM_PROPERTY);
    System.setProperty(LoggingSystem.SYSTEM_PROPERTY, LoggingSystem.NONE);
    ExecutorService pool = Executors.newFixedThreadPool(SERVICES.size(), LocalStack::daemon);
    try {
      List<Future<ConfigurableApplicationContext>> started = new ArrayList<>();
      SERVICES.forEach(
          (application, configName) ->
              started.add(pool.submit(() -> run(application, configName, common, brokerUp))));
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

  /** Waits (bounded) for the broker's start to end; its failure, if it failed. */
  private static RuntimeException settle(CompletableFuture<Void> brokerUp) {
    try {
      brokerUp.get(BROKER_START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new IllegalStateException("interrupted while the local Kafka broker starts", e);
    } catch (ExecutionException e) {
      return e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e);
    } catch (TimeoutException e) {
      return new IllegalStateException(
          "the local Kafka broker did not start within " + BROKER_START_TIMEOUT, e);
    }
  }

  /**
   * Holds a service's context until the broker has started, where the context first talks to Kafka.
   * Registered before the service's own bean definitions, its {@link SmartInitializingSingleton}
   * callback runs before spring-kafka's (KafkaAdmin declaring the topics, the listener endpoints)
   * and before any listener container starts. A few beans read Kafka while they are created ({@link
   * #BUILT_FROM_KAFKA}): their creation waits too. Building the rest of the context overlaps the
   * broker's start.
   */
  private static final class BrokerGate
      implements SmartInitializingSingleton, InstantiationAwareBeanPostProcessor {
    private final CompletableFuture<Void> brokerUp;

    BrokerGate(CompletableFuture<Void> brokerUp) {
      this.brokerUp = brokerUp;
    }

    @Override
    public Object postProcessBeforeInstantiation(Class<?> beanClass, String beanName) {
      if (BUILT_FROM_KAFKA.contains(beanClass)) {
        awaitBroker();
      }
      return null;
    }

    @Override
    public void afterSingletonsInstantiated() {
      awaitBroker();
    }

    private void awaitBroker() {
      RuntimeException failure = settle(brokerUp);
      if (failure != null) {
        throw failure;
      }
    }
  }

  private static Thread daemon(Runnable r) {
    Thread t = new Thread(r, "local-start-" + STARTERS.incrementAndGet());
    t.setDaemon(true);
    return t;
  }

  private ConfigurableApplicationContext run(
      Class<?> application,
      String configName,
      Map<String, Object> common,
      CompletableFuture<Void> brokerUp) {
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
        .initializers(
            context ->
                ((GenericApplicationContext) context)
                    .registerBean(
                        "meshctlBrokerGate", BrokerGate.class, () -> new BrokerGate(brokerUp)))
        .run(args);
  }

  private static Map<Class<?>, String> services() {
    Map<Class<?>, String> services = new LinkedHashMap<>();
    services.put(InfraServiceApplication.class, InfraServiceApplication.CONFIG_NAME);
    services.put(RkeServiceApplication.class, RkeServiceApplication.CONFIG_NAME);
    services.put(CniServiceApplication.class, CniServiceApplication.CONFIG_NAME);
    services.put(LbServiceApplication.class, LbServiceApplication.CONFIG_NAME);
    services.put(MeshServiceApplication.class, MeshServiceApplication.CONFIG_NAME);
    return Collections.unmodifiableMap(services);
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
