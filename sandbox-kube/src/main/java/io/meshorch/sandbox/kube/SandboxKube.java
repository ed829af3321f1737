package io.meshorch.sandbox.kube;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.meshorch.sandbox.core.ClusterRef;
import io.meshorch.sandbox.core.SandboxLatencies;
import io.meshorch.sandbox.core.SandboxRecorder;
import io.meshorch.sandbox.core.SandboxStep;
import io.meshorch.sandbox.core.SideEffect;
import io.meshorch.sandbox.core.SideEffectCounters;
import io.meshorch.sandbox.core.StepLog;
import io.meshorch.sandbox.kube.rke.RkeNodeLogin;
import io.meshorch.sandbox.kube.rke.RkeStandIn;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kubernetes side of the sandbox: the endpoint the {@code rke} stand-in calls to bring up a
 * cluster (one fabric8 mock API server in CRUD mode per cluster, identified by its first
 * control-plane node's address), and the controllers that play kubelet, Cilium and MetalLB on every
 * cluster.
 *
 * <p>The external steps take the durations of its {@link SandboxLatencies} ({@code rke-up}, {@code
 * rke-up-again}, the rollouts, {@code lb-ip}, {@code mesh-connect}). A cluster is reconciled at the
 * exact moment a step is due, so a latency is honoured to within the controllers' own work, not a
 * tick, and once per {@code controllerBatch} after writes to its API server (a chart's hundred
 * applies are one or a few passes, as a controller's work queue gathers an informer's events; a
 * rollout's latency counts from the write itself); the periodic pass every {@code
 * controllerInterval} is a safety net. When each step finished goes to the {@linkplain #stepLog()
 * step log}, installs and mesh-connection writes to the {@linkplain #counters() counters}.
 *
 * <p>All API servers and admin clients share one Vert.x instance (a few event-loop threads for the
 * whole sandbox).
 *
 * <pre>{@code
 * SandboxKube kube = SandboxKube.builder().controllerInterval(Duration.ofMillis(200)).build();
 * kube.start();
 * Path rke = RkeStandInScript.write(dir, kube.rkeControlUrl());
 * }</pre>
 */
public final class SandboxKube implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SandboxKube.class);

  /** Keeps the mock server's per-request INFO lines (java.util.logging) out of the console. */
  private static final java.util.logging.Logger MOCK_LOG = quietMockServer();

  private final String bindAddress;
  private final Duration interval;
  private final Duration batch;
  private final MeshReachability reachability;
  private final SandboxLatencies latencies;
  private final SandboxRecorder recorder;
  private final boolean nodeLogins;
  private final Map<String, SandboxCluster> clusters = new ConcurrentHashMap<>();
  private final Map<String, SandboxCluster> loadBalancerIps = new ConcurrentHashMap<>();
  private final ExecutorService workers =
      Executors.newCachedThreadPool(daemon("sandbox-kube-worker"));
  private final ScheduledExecutorService ticker =
      Executors.newSingleThreadScheduledExecutor(daemon("sandbox-kube-timer"));
  private final ExecutorService controllerPool =
      Executors.newFixedThreadPool(
          Math.max(2, Runtime.getRuntime().availableProcessors()),
          daemon("sandbox-kube-controllers"));
  private final Controllers controllers = new Controllers(this);
  private final CiliumAgents agents = new CiliumAgents(this);
  private final Rke2Nodes rke2 = new Rke2Nodes(this);
  private final Vertx vertx;
  private HttpServer control;

  private SandboxKube(Builder b) {
    this.bindAddress = b.bindAddress;
    this.interval = b.controllerInterval;
    this.batch = b.controllerBatch;
    this.reachability = b.reachability;
    this.latencies = b.latencies;
    this.recorder = b.recorder;
    this.nodeLogins = b.nodeLogins;
    this.vertx =
        Vertx.vertx(
            new VertxOptions()
                .setEventLoopPoolSize(Math.max(2, Runtime.getRuntime().availableProcessors()))
                .setWorkerPoolSize(4)
                .setInternalBlockingPoolSize(4));
  }

  /** A builder with defaults: bind 127.0.0.1, controllers every 200 ms, every LB IP reachable. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Starts the RKE control endpoint (JDK HTTP server on a random port) and the controllers.
   *
   * @return this sandbox
   */
  public SandboxKube start() {
    try {
      control = HttpServer.create(new InetSocketAddress(bindAddress, 0), 16);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot bind the sandbox RKE endpoint on " + bindAddress, e);
    }
    control.setExecutor(workers);
    control.createContext("/rke/up", this::up);
    control.createContext("/rke/remove", this::remove);
    control.start();
    recorder.onNodeGone(this::nodeGone);
    ticker.scheduleWithFixedDelay(
        this::reconcileAll, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    log.info(
        "sandbox kube: RKE endpoint at {}; latencies {}", rkeControlUrl(), latencies.describe());
    return this;
  }

  /** The URL the {@code rke} stand-in posts cluster files to (bake it into the script). */
  public URI rkeControlUrl() {
    if (control == null) {
      throw new IllegalStateException("start() the sandbox first");
    }
    return URI.create("http://" + hostAddress() + ":" + control.getAddress().getPort() + "/rke");
  }

  /**
   * RKE2 on the cloud sandbox's VMs: give it to the cloud ({@code
   * cloud.addVmCommands(kube.rke2())}) so that the VMs answer RKE2's install, units, join and
   * kubeconfig over SSH.
   */
  public Rke2Nodes rke2() {
    return rke2;
  }

  /**
   * Starts (once) the API server of the RKE2 cluster whose server node is {@code serverAddress},
   * listening on that address, with the nodes of {@code spec}; a second call returns the running
   * one.
   */
  SandboxCluster startRke2Cluster(ClusterYml spec, ClusterRef ref, String serverAddress) {
    boolean[] created = {false};
    SandboxCluster cluster =
        clusters.computeIfAbsent(
            spec.identity(),
            id -> {
              created[0] = true;
              SandboxCluster started = new SandboxCluster(spec, ref, serverAddress, this);
              recorder.count(SideEffect.RKE_CLUSTER_STARTED, ref);
              return started;
            });
    if (created[0]) {
      recorder.finished(SandboxStep.RKE_UP, ref, "cluster " + spec.clusterName(), Instant.now());
      log.info(
          "rke2: cluster {} with {} nodes serves at {}",
          spec.clusterName(),
          spec.nodes().size(),
          cluster.apiServerUrl());
      reconcileSoon(cluster);
    }
    return cluster;
  }

  /** The running clusters, in no particular order. */
  public List<SandboxCluster> clusters() {
    return List.copyOf(clusters.values());
  }

  /**
   * The running cluster called {@code name} ({@code cluster_name} of its cluster.yml), for a
   * sandbox with one mesh.
   *
   * @throws IllegalStateException when clusters of several meshes have that name: ask with a {@link
   *     ClusterRef} then
   */
  public Optional<SandboxCluster> cluster(String name) {
    List<SandboxCluster> named =
        clusters.values().stream().filter(c -> c.name().equals(name)).toList();
    if (named.size() > 1) {
      throw new IllegalStateException(
          "clusters of several meshes are called "
              + name
              + " ("
              + named.stream().map(c -> c.ref().toString()).sorted().toList()
              + "): name the mesh too");
    }
    return named.stream().findFirst();
  }

  /**
   * The running cluster {@code ref}: a mesh and a cluster name, since several meshes built against
   * one sandbox may each have a cluster of the same name.
   */
  public Optional<SandboxCluster> cluster(ClusterRef ref) {
    return clusters.values().stream().filter(c -> c.ref().equals(ref)).findFirst();
  }

  /**
   * The cluster whose MetalLB gave a LoadBalancer service the address {@code ip}, as last seen by
   * the controllers (sandbox-wide registry, refreshed every controller interval).
   */
  public Optional<SandboxCluster> loadBalancerOwner(String ip) {
    return Optional.ofNullable(loadBalancerIps.get(ip));
  }

  /** Replaces what the MetalLB controller last saw as {@code cluster}'s LoadBalancer IPs. */
  void registerLoadBalancerIps(SandboxCluster cluster, Set<String> ips) {
    loadBalancerIps.entrySet().removeIf(e -> e.getValue() == cluster && !ips.contains(e.getKey()));
    for (String ip : ips) {
      SandboxCluster previous = loadBalancerIps.put(ip, cluster);
      if (previous != null && previous != cluster) {
        log.warn(
            "sandbox: LoadBalancer IP {} is claimed by clusters {} and {}",
            ip,
            previous.name(),
            cluster.name());
      }
    }
  }

  /** The durations of the external steps. */
  public SandboxLatencies latencies() {
    return latencies;
  }

  /** Where the step log and counters go (shared with the cloud sandbox when given to both). */
  public SandboxRecorder recorder() {
    return recorder;
  }

  /**
   * When each external step finished: {@code rke-up}, {@code rke-up-again}, the rollouts, {@code
   * lb-ip}, {@code mesh-connect}.
   */
  public StepLog stepLog() {
    return recorder.steps();
  }

  /** rke up invocations, clusters started, Cilium and MetalLB installs, mesh-connection writes. */
  public SideEffectCounters counters() {
    return recorder.counters();
  }

  MeshReachability reachability() {
    return reachability;
  }

  Vertx vertx() {
    return vertx;
  }

  /** Runs {@code task} at {@code when} (at once when it is past) on the sandbox's timer. */
  void schedule(Instant when, Runnable task) {
    long delay = Math.max(0, Duration.between(Instant.now(), when).toMillis());
    try {
      // One millisecond late rather than early: the controllers compare with the due time.
      ticker.schedule(task, delay + 1, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      log.debug("sandbox kube closed; not scheduling");
    }
  }

  /**
   * Reconciles {@code cluster} once the writes of the next {@code controllerBatch} have gathered:
   * the writes made meanwhile share that pass.
   */
  void reconcileAfterWrites(SandboxCluster cluster) {
    if (batch.isZero()) {
      reconcileSoon(cluster);
      return;
    }
    if (!cluster.gathering.compareAndSet(false, true)) {
      return;
    }
    try {
      ticker.schedule(
          () -> {
            cluster.gathering.set(false);
            reconcileSoon(cluster);
          },
          batch.toMillis(),
          TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      cluster.gathering.set(false);
    }
  }

  /**
   * Reconciles {@code cluster} soon on the controller pool; requests made while one is queued
   * coalesce, and a cluster is never reconciled by two threads at once.
   */
  void reconcileSoon(SandboxCluster cluster) {
    if (!cluster.queued.compareAndSet(false, true)) {
      return;
    }
    try {
      controllerPool.execute(
          () -> {
            cluster.queued.set(false);
            synchronized (cluster.reconciling) {
              reconcile(cluster);
            }
          });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      cluster.queued.set(false);
    }
  }

  ExecutorService workers() {
    return workers;
  }

  CiliumAgents agents() {
    return agents;
  }

  /** Where clients reach servers bound to {@code bindAddress} (a wildcard means loopback). */
  private String hostAddress() {
    return bindAddress.equals("0.0.0.0") || bindAddress.equals("::") ? "127.0.0.1" : bindAddress;
  }

  /** The periodic pass: every cluster that is not settled (see {@link SandboxCluster#settled}). */
  private void reconcileAll() {
    for (SandboxCluster cluster : clusters.values()) {
      if (!cluster.settled) {
        reconcileSoon(cluster);
      }
    }
  }

  private void reconcile(SandboxCluster cluster) {
    long writes = cluster.activity().writes();
    cluster.settled = true;
    try {
      controllers.reconcile(cluster);
    } catch (RuntimeException e) {
      cluster.settled = false;
      if (clusters.containsValue(cluster) && !ticker.isShutdown()) {
        log.warn("sandbox controllers failed on cluster {}: {}", cluster.name(), e.toString());
      }
    }
    if (cluster.activity().writes() != writes) {
      // This pass wrote (or someone did meanwhile): look again on the next periodic pass.
      cluster.settled = false;
    }
  }

  /**
   * {@code rke up}: validates cluster.yml, then answers the cluster's kubeconfig (text) once its
   * latency has passed since the {@code rke} run began ({@link RkeStandIn#STARTED_HEADER}, the
   * process's start: a real run's duration includes its own start, the stand-in JVM's start-up is
   * the sandbox's cost; a start in the future counts as now, one older than the latency ends the
   * run at once): {@code rke-up} for a cluster not running yet, {@code rke-up-again} for one that
   * runs. The exchange stays open meanwhile, without a thread (a long poll); the cluster's API
   * server starts when the first run for it ends.
   */
  private void up(HttpExchange exchange) throws IOException {
    Instant received = Instant.now();
    Instant began = runStart(exchange, received);
    ClusterYml parsed;
    try {
      parsed = parse(exchange);
    } catch (IOException | RuntimeException e) {
      exchange.close();
      throw e;
    }
    if (parsed == null) {
      exchange.close();
      return;
    }
    // What RKE does first: log into every node (the sandbox's VMs) and reach its Docker socket.
    RkeNodeLogin.Result login =
        RkeNodeLogin.check(
            parsed,
            a -> nodeLogins && recorder.clusterOfNode(a).isPresent(),
            Duration.ofSeconds(10));
    login.log().forEach(line -> log.warn("rke up: {}", line));
    if (login.fatal() != null) {
      try (exchange) {
        reply(exchange, 422, login.report());
      }
      return;
    }
    ClusterYml spec = login.usable();
    ClusterRef ref =
        recorder
            .clusterOfNode(spec.identity())
            .map(node -> new ClusterRef(node.meshId(), spec.clusterName()))
            .orElse(ClusterRef.named(spec.clusterName()));
    recorder.count(SideEffect.RKE_UP_INVOKED, ref);
    SandboxStep step =
        clusters.containsKey(spec.identity()) ? SandboxStep.RKE_UP_AGAIN : SandboxStep.RKE_UP;
    Duration latency = latencies.of(step, ref);
    Instant done = began.plus(latency).isAfter(received) ? began.plus(latency) : received;
    log.info(
        "rke up: cluster {} ({}), {} takes {} from the run's start {} ms ago",
        spec.clusterName(),
        ref,
        step,
        latency,
        Duration.between(began, received).toMillis());
    if (!done.isAfter(Instant.now())) {
      finishUp(exchange, spec, ref, step);
    } else {
      schedule(done, () -> workers.execute(() -> finishUp(exchange, spec, ref, step)));
    }
  }

  private void finishUp(HttpExchange exchange, ClusterYml spec, ClusterRef ref, SandboxStep step) {
    try (exchange) {
      try {
        boolean[] created = {false};
        // Per-identity creation: clusters of one mesh come up in parallel, a re-run gets the same.
        SandboxCluster cluster =
            clusters.computeIfAbsent(
                spec.identity(),
                id -> {
                  created[0] = true;
                  SandboxCluster started = new SandboxCluster(spec, ref, hostAddress(), this);
                  // Counted with the creation itself: a concurrent run that finds this cluster
                  // (a re-run racing a killed run's late finish) must already see it counted.
                  recorder.count(SideEffect.RKE_CLUSTER_STARTED, ref);
                  return started;
                });
        if (created[0]) {
          log.info(
              "rke up: cluster {} with {} nodes serves at {}",
              spec.clusterName(),
              spec.nodes().size(),
              cluster.apiServerUrl());
        } else {
          log.info("rke up: cluster {} already runs at {}", cluster.name(), cluster.apiServerUrl());
        }
        recorder.finished(step, ref, "cluster " + spec.clusterName(), Instant.now());
        reply(exchange, 200, cluster.kubeconfig());
      } catch (RuntimeException e) {
        log.warn("rke up failed: {}", e.toString());
        reply(exchange, 500, "Failed to bring up the sandbox cluster: " + e.getMessage());
      }
    } catch (IOException e) {
      // The rke process went away (killed, timed out) while its run was in progress.
      log.info("rke up for {}: the caller is gone: {}", spec.clusterName(), e.toString());
    }
  }

  /** {@code rke remove}: stops and forgets the cluster of cluster.yml (absent is success). */
  private void remove(HttpExchange exchange) throws IOException {
    try (exchange) {
      ClusterYml spec = parse(exchange);
      if (spec == null) {
        return;
      }
      boolean stopped = stop(spec.identity(), "rke remove");
      reply(exchange, 200, stopped ? "removed" : "not found");
    }
  }

  /**
   * A VM of the cloud sandbox was deleted. A cluster none of whose nodes is left stops answering:
   * its API server ran on those machines. (A cluster whose nodes the cloud sandbox never
   * registered, as in tests of this module alone, is not concerned.)
   */
  private void nodeGone(String address) {
    for (Map.Entry<String, SandboxCluster> entry : clusters.entrySet()) {
      List<ClusterYml.Node> nodes = entry.getValue().spec().nodes();
      if (nodes.stream().anyMatch(n -> n.address().equals(address))
          && nodes.stream().noneMatch(n -> recorder.clusterOfNode(n.address()).isPresent())) {
        stop(entry.getKey(), "its VMs were deleted");
      }
    }
  }

  /** Stops the API server of the cluster {@code identity}; false when none runs. */
  private boolean stop(String identity, String why) {
    SandboxCluster cluster = clusters.remove(identity);
    if (cluster == null) {
      return false;
    }
    loadBalancerIps.values().removeIf(c -> c == cluster);
    cluster.close();
    log.info("cluster {} stopped: {}", cluster.name(), why);
    return true;
  }

  /** When the run of {@code exchange} began: its header's instant, unless in the future. */
  private static Instant runStart(HttpExchange exchange, Instant received) {
    String header = exchange.getRequestHeaders().getFirst(RkeStandIn.STARTED_HEADER);
    if (header == null) {
      return received;
    }
    try {
      Instant began = Instant.parse(header.strip());
      return began.isAfter(received) ? received : began;
    } catch (java.time.format.DateTimeParseException e) {
      return received;
    }
  }

  /** The validated cluster.yml of the request, or null after answering 422 or 400. */
  private static ClusterYml parse(HttpExchange exchange) throws IOException {
    if (!"POST".equals(exchange.getRequestMethod())) {
      reply(exchange, 405, "POST only");
      return null;
    }
    String dir = exchange.getRequestHeaders().getFirst(RkeStandIn.DIR_HEADER);
    if (dir == null) {
      reply(exchange, 400, "missing header " + RkeStandIn.DIR_HEADER);
      return null;
    }
    String yml = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    try {
      return ClusterYml.parse(yml, Path.of(URLDecoder.decode(dir, StandardCharsets.UTF_8)));
    } catch (ClusterYml.Invalid e) {
      reply(exchange, 422, e.getMessage());
      return null;
    }
  }

  private static void reply(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "text/plain; charset=utf-8");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    ticker.shutdownNow();
    controllerPool.shutdownNow();
    if (control != null) {
      control.stop(0);
    }
    clusters.values().forEach(SandboxCluster::close);
    clusters.clear();
    loadBalancerIps.clear();
    workers.shutdownNow();
    vertx.close();
  }

  private static java.util.logging.Logger quietMockServer() {
    java.util.logging.Logger logger =
        java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");
    logger.setLevel(java.util.logging.Level.WARNING);
    return logger;
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  /** Settings of the Kubernetes sandbox. */
  public static final class Builder {
    private String bindAddress = "127.0.0.1";
    private Duration controllerInterval = Duration.ofMillis(200);
    private Duration controllerBatch = Duration.ofMillis(50);
    private MeshReachability reachability = MeshReachability.ALWAYS;
    private SandboxLatencies latencies = SandboxLatencies.fast();
    private SandboxRecorder recorder = new SandboxRecorder();
    private boolean nodeLogins = true;

    private Builder() {}

    /**
     * Whether {@code rke up} logs into the recorder's nodes as RKE does (default true). Off only
     * for tests that register node addresses without a VM behind them.
     */
    public Builder nodeLogins(boolean nodeLogins) {
      this.nodeLogins = nodeLogins;
      return this;
    }

    /** How long the external steps take (default {@link SandboxLatencies#fast()}). */
    public Builder latencies(SandboxLatencies latencies) {
      this.latencies = Objects.requireNonNull(latencies, "latencies");
      return this;
    }

    /**
     * Where to record finished steps and side effects; give the cloud sandbox the same one, so that
     * clusters are attributed to their mesh (default: a recorder of its own).
     */
    public Builder recorder(SandboxRecorder recorder) {
      this.recorder = Objects.requireNonNull(recorder, "recorder");
      return this;
    }

    /**
     * The decision whether a cluster's agents can reach a mesh endpoint IP (default: always), e.g.
     * to model OpenStack anti-spoofing until allowed-address-pairs cover the IP.
     */
    public Builder meshReachability(MeshReachability reachability) {
      this.reachability = Objects.requireNonNull(reachability, "reachability");
      return this;
    }

    /** The address the RKE endpoint and the API servers listen on (default 127.0.0.1). */
    public Builder bindAddress(String address) {
      this.bindAddress = address;
      return this;
    }

    /**
     * How often the controllers reconcile every cluster regardless of writes and due steps, a
     * safety net (default 200 ms; raise it for hundreds of clusters).
     */
    public Builder controllerInterval(Duration interval) {
      this.controllerInterval = interval;
      return this;
    }

    /**
     * How long the controllers let writes to one cluster gather before the pass that follows them
     * (default 50 ms; zero: a pass right after every write). Steps due at a moment are reconciled
     * then, whatever this is.
     */
    public Builder controllerBatch(Duration batch) {
      if (batch.isNegative()) {
        throw new IllegalArgumentException("controllerBatch must not be negative: " + batch);
      }
      this.controllerBatch = batch;
      return this;
    }

    /** A sandbox, not started yet. */
    public SandboxKube build() {
      return new SandboxKube(this);
    }
  }
}
