package io.meshorch.sandbox.kube;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Kubernetes side of the sandbox: the endpoint the {@code rke} stand-in calls to bring up a
 * cluster (one API server per cluster, identified by its first control-plane node), and the
 * controllers that play kubelet, Cilium and MetalLB on every cluster.
 */
public final class SandboxKube implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SandboxKube.class);
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final String bindAddress;
  private final Duration interval;
  private final Map<String, SandboxCluster> clusters = new ConcurrentHashMap<>();
  private final Map<String, SandboxCluster> meshEndpoints = new ConcurrentHashMap<>();
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
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Starts the RKE control endpoint and the controllers. */
  public SandboxKube start() {
    try {
      control = HttpServer.create(new InetSocketAddress(bindAddress, 0), 16);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot bind the sandbox RKE endpoint", e);
    }
    control.setExecutor(workers);
    control.createContext("/rke/up", this::up);
    control.createContext("/rke/remove", this::remove);
    control.start();
    ticker.scheduleWithFixedDelay(
        this::reconcileAll, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    return this;
  }

  /** The URL the {@code rke} stand-in posts cluster files to. */
  public URI rkeControlUrl() {
    return URI.create("http://" + bindAddress + ":" + control.getAddress().getPort() + "/rke");
  }

  /** The running clusters. */
  public List<SandboxCluster> clusters() {
    return List.copyOf(clusters.values());
  }

  /** The cluster whose mesh control plane MetalLB gave {@code ip}. */
  Optional<SandboxCluster> meshEndpoint(String ip) {
    return Optional.ofNullable(meshEndpoints.get(ip));
  }

  void registerMeshEndpoint(String ip, SandboxCluster cluster) {
    meshEndpoints.put(ip, cluster);
  }

  ExecutorService workers() {
    return workers;
  }

  CiliumAgents agents() {
    return agents;
  }

  private void reconcileAll() {
    for (SandboxCluster cluster : clusters.values()) {
      try {
        controllers.reconcile(cluster);
      } catch (RuntimeException e) {
        log.warn("controllers failed on {}: {}", cluster.name(), e.toString());
      }
    }
  }

  /** {@code rke up}: validates cluster.yml and returns the cluster's kubeconfig. */
  private void up(HttpExchange exchange) throws IOException {
    Map<?, ?> request = JSON.readValue(exchange.getRequestBody(), Map.class);
    ClusterYml spec;
    try {
      spec =
          ClusterYml.parse(
              String.valueOf(request.get("clusterYml")),
              Path.of(String.valueOf(request.get("dir"))));
    } catch (ClusterYml.Invalid e) {
      reply(exchange, 422, Map.of("error", e.getMessage()));
      return;
    }
    SandboxCluster cluster;
    synchronized (clusters) {
      cluster = clusters.get(spec.identity());
      if (cluster == null) {
        cluster = new SandboxCluster(spec, bindAddress, this);
        clusters.put(spec.identity(), cluster);
        log.info(
            "rke up: cluster {} on {} nodes at {}",
            spec.clusterName(),
            spec.nodes().size(),
            cluster.apiServerUrl());
      }
    }
    reply(
        exchange,
        200,
        Map.of(
            "kubeconfig",
            cluster.kubeconfig(),
            "apiServer",
            cluster.apiServerUrl(),
            "nodes",
            cluster.nodeNames()));
  }

  private void remove(HttpExchange exchange) throws IOException {
    Map<?, ?> request = JSON.readValue(exchange.getRequestBody(), Map.class);
    try {
      ClusterYml spec =
          ClusterYml.parse(
              String.valueOf(request.get("clusterYml")),
              Path.of(String.valueOf(request.get("dir"))));
      SandboxCluster cluster = clusters.remove(spec.identity());
      if (cluster != null) {
        meshEndpoints.values().removeIf(c -> c == cluster);
        cluster.close();
      }
      reply(exchange, 200, Map.of("removed", cluster != null));
    } catch (ClusterYml.Invalid e) {
      reply(exchange, 422, Map.of("error", e.getMessage()));
    }
  }

  private static void reply(HttpExchange exchange, int status, Object body) throws IOException {
    byte[] bytes = JSON.writeValueAsString(body).getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
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
    workers.shutdownNow();
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

    public Builder bindAddress(String address) {
      this.bindAddress = address;
      return this;
    }

    public Builder controllerInterval(Duration interval) {
      this.controllerInterval = interval;
      return this;
    }

    public SandboxKube build() {
      return new SandboxKube(this);
    }
  }
}
