package io.meshorch.sandbox.kube;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.meshorch.sandbox.kube.rke.RkeStandIn;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
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
  private final MeshReachability reachability;
  private final Map<String, SandboxCluster> clusters = new ConcurrentHashMap<>();
  private final Map<String, SandboxCluster> loadBalancerIps = new ConcurrentHashMap<>();
  private final ExecutorService workers =
      Executors.newCachedThreadPool(daemon("sandbox-kube-worker"));
  private final ScheduledExecutorService ticker =
      Executors.newSingleThreadScheduledExecutor(daemon("sandbox-kube-controllers"));
  private final Controllers controllers = new Controllers(this);
  private final CiliumAgents agents = new CiliumAgents(this);
  private HttpServer control;

  private SandboxKube(Builder b) {
    this.bindAddress = b.bindAddress;
    this.interval = b.controllerInterval;
    this.reachability = b.reachability;
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
    ticker.scheduleWithFixedDelay(
        this::reconcileAll, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    log.info("sandbox kube: RKE endpoint at {}", rkeControlUrl());
    return this;
  }

  /** The URL the {@code rke} stand-in posts cluster files to (bake it into the script). */
  public URI rkeControlUrl() {
    if (control == null) {
      throw new IllegalStateException("start() the sandbox first");
    }
    return URI.create("http://" + hostAddress() + ":" + control.getAddress().getPort() + "/rke");
  }

  /** The running clusters, in no particular order. */
  public List<SandboxCluster> clusters() {
    return List.copyOf(clusters.values());
  }

  /** The running cluster called {@code name} ({@code cluster_name} of its cluster.yml). */
  public Optional<SandboxCluster> cluster(String name) {
    return clusters.values().stream().filter(c -> c.name().equals(name)).findFirst();
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

  MeshReachability reachability() {
    return reachability;
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

  private void reconcileAll() {
    for (SandboxCluster cluster : clusters.values()) {
      try {
        controllers.reconcile(cluster);
      } catch (RuntimeException e) {
        if (clusters.containsValue(cluster) && !ticker.isShutdown()) {
          log.warn("sandbox controllers failed on cluster {}: {}", cluster.name(), e.toString());
        }
      }
    }
  }

  /** {@code rke up}: validates cluster.yml and answers the cluster's kubeconfig (text). */
  private void up(HttpExchange exchange) throws IOException {
    try (exchange) {
      ClusterYml spec = parse(exchange);
      if (spec == null) {
        return;
      }
      boolean[] created = {false};
      // Per-identity creation: clusters of one mesh come up in parallel, a re-run gets the same.
      SandboxCluster cluster =
          clusters.computeIfAbsent(
              spec.identity(),
              id -> {
                created[0] = true;
                return new SandboxCluster(spec, hostAddress(), this);
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
      reply(exchange, 200, cluster.kubeconfig());
    } catch (RuntimeException e) {
      log.warn("rke up failed: {}", e.toString());
      reply(exchange, 500, "Failed to bring up the sandbox cluster: " + e.getMessage());
    }
  }

  /** {@code rke remove}: stops and forgets the cluster of cluster.yml (absent is success). */
  private void remove(HttpExchange exchange) throws IOException {
    try (exchange) {
      ClusterYml spec = parse(exchange);
      if (spec == null) {
        return;
      }
      SandboxCluster cluster = clusters.remove(spec.identity());
      if (cluster != null) {
        loadBalancerIps.values().removeIf(c -> c == cluster);
        cluster.close();
        log.info("rke remove: cluster {} stopped", cluster.name());
      }
      reply(exchange, 200, cluster != null ? "removed" : "not found");
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
    if (control != null) {
      control.stop(0);
    }
    clusters.values().forEach(SandboxCluster::close);
    clusters.clear();
    loadBalancerIps.clear();
    workers.shutdownNow();
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
    private MeshReachability reachability = MeshReachability.ALWAYS;

    private Builder() {}

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

    /** How often the controllers reconcile every cluster (default 200 ms). */
    public Builder controllerInterval(Duration interval) {
      this.controllerInterval = interval;
      return this;
    }

    /** A sandbox, not started yet. */
    public SandboxKube build() {
      return new SandboxKube(this);
    }
  }
}
