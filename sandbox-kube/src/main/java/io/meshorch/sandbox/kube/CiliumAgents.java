package io.meshorch.sandbox.kube;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HostAlias;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.meshorch.sandbox.core.SandboxStep;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * Plays the Cilium agents: answers {@code cilium-dbg status -o json} and {@code cilium-dbg node
 * list -o json} from what is configured in the cluster (cilium-config, the cilium-clustermesh and
 * cilium-kvstoremesh secrets, the dialing pod's host aliases and files) and what the remote ends
 * really are (which cluster serves a mesh endpoint IP, its cluster name, the certificates its etcd
 * serves and trusts). A remote is connected only when a real agent would connect: right name,
 * reachable endpoint, a TLS handshake that verifies ({@link MeshTls}), and the dialing pod (the
 * agent, or with KVStoreMesh the clustermesh-apiserver) resolving the remote's name (its {@code
 * hostAliases}, which pods get only by a rollout). In a clustermesh-apiserver pod it also answers
 * {@code kvstoremesh-dbg status -o json}: every remote of Secret {@code cilium-kvstoremesh} as that
 * pod dials it.
 *
 * <p>A connection takes {@code mesh-connect}: a remote is ready only that long after its
 * configuration became effective for the agent (its key in the secret written, the agent pod
 * started), and is reported {@code synchronizing} until then. Each connection is logged once in the
 * step log: at that moment if the remote is ready then (a check is scheduled for it), else when an
 * exec first finds it ready.
 */
final class CiliumAgents {
  private static final Logger log = LoggerFactory.getLogger(CiliumAgents.class);
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final String NS = "kube-system";
  static final String KVSTOREMESH_SECRET = "cilium-kvstoremesh";

  /** What {@code cilium clustermesh status} runs in the {@code kvstoremesh} container. */
  static final List<String> KVSTOREMESH_STATUS =
      List.of("clustermesh-apiserver", "kvstoremesh-dbg", "status", "-o", "json");

  /** What a command printed and its exit code. */
  record Result(String stdout, String stderr, int exitCode) {}

  /** How long a worked-out link is reused at most, whatever else holds. */
  static final Duration LINK_REUSE = Duration.ofSeconds(5);

  private static final int REMEMBERED_LINKS = 20_000;

  private final SandboxKube sandbox;
  private final Map<LinkKey, Link> links = new ConcurrentHashMap<>();

  CiliumAgents(SandboxKube sandbox) {
    this.sandbox = sandbox;
  }

  Result exec(SandboxCluster cluster, String namespace, String podName, List<String> command) {
    Pod pod = cluster.reads().pod(namespace, podName);
    if (pod == null) {
      return new Result(
          "", "Error from server (NotFound): pods \"" + podName + "\" not found\n", 1);
    }
    if ("clustermesh-apiserver".equals(pod.getMetadata().getLabels().get("k8s-app"))
        && command.equals(KVSTOREMESH_STATUS)) {
      return new Result(
          JSON.writeValueAsString(kvstoremeshStatus(cluster, pod, Instant.now())) + "\n", "", 0);
    }
    if (!"cilium".equals(pod.getMetadata().getLabels().get("k8s-app"))) {
      return fail(command);
    }
    List<String> args = command.isEmpty() ? List.of() : command.subList(1, command.size());
    String binary = command.isEmpty() ? "" : command.get(0);
    if (!binary.equals("cilium-dbg") && !binary.equals("cilium")) {
      return fail(command);
    }
    Instant now = Instant.now();
    if (args.size() >= 1 && args.get(0).equals("status") && args.contains("json")) {
      return new Result(JSON.writeValueAsString(status(cluster, pod, now)) + "\n", "", 0);
    }
    if (args.size() >= 2
        && args.get(0).equals("node")
        && args.get(1).equals("list")
        && args.contains("json")) {
      return new Result(JSON.writeValueAsString(nodeList(cluster, pod, now)) + "\n", "", 0);
    }
    return fail(command);
  }

  private static Result fail(List<String> command) {
    String name = command.isEmpty() ? "" : command.get(0);
    return new Result(
        "",
        "exec: \""
            + name
            + " "
            + String.join(" ", command.subList(Math.min(1, command.size()), command.size()))
            + "\": unknown command\n",
        127);
  }

  /**
   * The view of one remote cluster from an agent; {@code since}: when its configuration became
   * effective for the agent (null when it cannot connect at all).
   */
  private record Remote(
      String name, boolean ready, String status, List<Node> nodes, String failure, Instant since) {}

  /**
   * {@code clustermesh-apiserver kvstoremesh-dbg status -o json} in a clustermesh-apiserver pod:
   * every remote of Secret {@code cilium-kvstoremesh} as this pod dials it (its host aliases).
   */
  private List<Object> kvstoremeshStatus(SandboxCluster cluster, Pod pod, Instant now) {
    Secret config = cluster.reads().secret(NS, KVSTOREMESH_SECRET);
    List<Object> out = new ArrayList<>();
    if (config != null) {
      Map<String, String> aliases = hostAliases(pod);
      Instant started = startedAt(pod);
      ClusterActivity.entries(config)
          .forEach(
              (name, etcdConfig) ->
                  out.add(
                      clusterStatus(
                          remote(cluster, pod, name, etcdConfig, aliases, started, now))));
    }
    return out;
  }

  private Map<String, Object> status(SandboxCluster cluster, Pod pod, Instant now) {
    List<Object> clusters = new ArrayList<>();
    for (Remote r : remotes(cluster, pod, now)) {
      clusters.add(clusterStatus(r));
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("cilium", Map.of("state", "Ok", "msg", ""));
    out.put("cluster-mesh", Map.of("clusters", clusters));
    return out;
  }

  /** One remote cluster as {@code cluster-mesh.clusters[]} shows it. */
  private static Map<String, Object> clusterStatus(Remote r) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("name", r.name());
    c.put("ready", r.ready());
    c.put("status", r.status());
    c.put("num-nodes", r.nodes().size());
    c.put("num-endpoints", r.ready() ? r.nodes().size() : 0);
    c.put("num-identities", r.ready() ? 4 : 0);
    c.put("num-shared-services", 0);
    c.put("num-failures", r.ready() ? 0 : 1);
    c.put("last-failure", r.failure());
    return c;
  }

  private List<Object> nodeList(SandboxCluster cluster, Pod pod, Instant now) {
    List<Object> out = new ArrayList<>();
    String local = clusterName(cluster.reads()).orElse("default");
    cluster.reads().nodes().forEach(n -> out.add(nodeEntry(local, n, "custom-resource")));
    for (Remote r : remotes(cluster, pod, now)) {
      if (r.ready()) {
        r.nodes().forEach(n -> out.add(nodeEntry(r.name(), n, "kvstore")));
      }
    }
    return out;
  }

  private static Map<String, Object> nodeEntry(String cluster, Node node, String source) {
    String ip =
        node.getStatus().getAddresses().stream()
            .filter(a -> a.getType().equals("InternalIP"))
            .map(NodeAddress::getAddress)
            .findFirst()
            .orElse("");
    Map<String, Object> e = new LinkedHashMap<>();
    e.put("name", cluster + "/" + node.getMetadata().getName());
    e.put("primary-address", Map.of("ipv4", Map.of("enabled", true, "ip", ip)));
    e.put("source", source);
    return e;
  }

  private List<Remote> remotes(SandboxCluster cluster, Pod pod, Instant now) {
    Secret config = cluster.reads().secret(NS, ClusterActivity.MESH_SECRET);
    if (config == null) {
      return List.of();
    }
    Map<String, String> entries = ClusterActivity.entries(config);
    Map<String, String> aliases = hostAliases(pod);
    Instant podStarted = startedAt(pod);
    List<Remote> out = new ArrayList<>();
    entries.forEach(
        (name, etcdConfig) -> {
          Remote r = remote(cluster, pod, name, etcdConfig, aliases, podStarted, now);
          if (r.ready() && cluster.activity().firstConnect(name, r.since())) {
            sandbox
                .recorder()
                .finished(SandboxStep.MESH_CONNECT, cluster.ref(), "remote " + name, now);
          }
          out.add(r);
        });
    return out;
  }

  /**
   * The view of remote {@code name} from {@code agent} (the dialing pod: the agent itself, or with
   * KVStoreMesh the local clustermesh-apiserver) at {@code now}. Working out the link costs a dozen
   * API reads and the TLS checks, while every agent's status is polled for every remote; so a link
   * is remembered and reused as long as nothing it was worked out from has changed: no write on the
   * local cluster (its pods, secrets, host aliases), the endpoint IP still owned by the same
   * cluster with no write there either, the same reachability, and for at most {@link #LINK_REUSE}
   * (the certificates' validity is a matter of time). Only the time-dependent part (synchronizing
   * until {@code mesh-connect} has passed) is worked out on every call.
   */
  private Remote remote(
      SandboxCluster local,
      Pod agent,
      String name,
      String etcdConfig,
      Map<String, String> aliases,
      Instant podStarted,
      Instant now) {
    LinkKey key = new LinkKey(local, agent.getMetadata().getUid(), name, etcdConfig);
    long localWrites = local.activity().writes();
    Link known = links.get(key);
    if (known == null || !stillHolds(known, local, localWrites, now)) {
      known = link(local, agent, name, etcdConfig, aliases, podStarted, now, localWrites);
      if (links.size() >= REMEMBERED_LINKS) {
        links.clear();
      }
      links.put(key, known);
    }
    return known.at(name, now, sandbox.latencies().of(SandboxStep.MESH_CONNECT, local.ref()));
  }

  private boolean stillHolds(Link link, SandboxCluster local, long localWrites, Instant now) {
    if (link.localWrites() != localWrites || !now.isBefore(link.workedOutAt().plus(LINK_REUSE))) {
      return false;
    }
    if (link.ip() == null) {
      return true;
    }
    SandboxCluster owner = sandbox.loadBalancerOwner(link.ip()).orElse(null);
    if (owner != link.owner()) {
      return false;
    }
    return owner == null
        || (owner.activity().writes() == link.ownerWrites()
            && sandbox.reachability().reachable(local, link.ip(), owner) == link.reachable());
  }

  private Link link(
      SandboxCluster local,
      Pod agent,
      String name,
      String etcdConfig,
      Map<String, String> aliases,
      Instant podStarted,
      Instant now,
      long localWrites) {
    Link down = new Link(null, null, List.of(), null, null, 0, false, localWrites, now);
    String host = name + ".mesh.cilium.io";
    Pod dialer = agent;
    String config = etcdConfig;
    Map<String, String> resolves = aliases;
    if (etcdConfig.contains(MeshTls.LOCAL_APISERVER)) {
      // KVStoreMesh: the agent reads the local clustermesh-apiserver, whose kvstoremesh container
      // dials the remote with its own config (Secret cilium-kvstoremesh), files and host aliases.
      Optional<Pod> kvstoremesh = MeshTls.etcdPod(local.reads());
      if (kvstoremesh.isEmpty()) {
        return down.failing(
            "dial tcp " + MeshTls.LOCAL_APISERVER + ":2379: connect: connection refused");
      }
      Optional<String> tls =
          MeshTls.handshake(
              local.reads(), agent, etcdConfig, local.reads(), MeshTls.LOCAL_APISERVER, now);
      if (tls.isPresent()) {
        return down.failing(tls.get());
      }
      Secret kvstoremeshConfig = local.reads().secret(NS, KVSTOREMESH_SECRET);
      config =
          kvstoremeshConfig == null ? null : ClusterActivity.entries(kvstoremeshConfig).get(name);
      if (config == null) {
        return down.failing("remote cluster configuration required but not found");
      }
      dialer = kvstoremesh.get();
      resolves = hostAliases(dialer);
    }
    if (!config.contains(host)) {
      return down.failing("configuration for " + name + " does not point at " + host);
    }
    String ip = resolves.get(host);
    if (ip == null) {
      return down.failing("dial tcp: lookup " + host + ": no such host");
    }
    SandboxCluster owner = sandbox.loadBalancerOwner(ip).orElse(null);
    long ownerWrites = owner == null ? 0 : owner.activity().writes();
    boolean reachable = owner != null && sandbox.reachability().reachable(local, ip, owner);
    Link dialed =
        new Link(null, null, List.of(), ip, owner, ownerWrites, reachable, localWrites, now);
    if (owner == null
        || !servesMesh(owner.reads(), ip)
        || !reachable
        || !apiserverAvailable(owner.reads())) {
      return dialed.failing("dial tcp " + ip + ":2379: i/o timeout");
    }
    ClusterReads remote = owner.reads();
    if (!clusterName(remote).map(name::equals).orElse(false)) {
      return dialed.failing("remote cluster configuration required but not found");
    }
    Optional<String> tls = MeshTls.handshake(local.reads(), dialer, config, remote, host, now);
    if (tls.isPresent()) {
      return dialed.failing(tls.get());
    }
    Instant written = local.activity().meshEntrySince(name);
    Instant since = written == null || written.isBefore(podStarted) ? podStarted : written;
    if (dialer != agent && startedAt(dialer).isAfter(since)) {
      since = startedAt(dialer);
    }
    return new Link(
        null, since, owner.reads().nodes(), ip, owner, ownerWrites, reachable, localWrites, now);
  }

  /**
   * What an agent's dialer found of one remote, as of {@code workedOutAt}: a {@code failure}, or
   * the remote's {@code nodes} and since when the connection configuration is effective ({@code
   * since}); with what it depends on: the local cluster's write count, the endpoint {@code ip}
   * (null when not resolved), its {@code owner} then, the owner's write count, the reachability.
   */
  private record Link(
      String failure,
      Instant since,
      List<Node> nodes,
      String ip,
      SandboxCluster owner,
      long ownerWrites,
      boolean reachable,
      long localWrites,
      Instant workedOutAt) {
    Link failing(String why) {
      return new Link(
          why, null, List.of(), ip, owner, ownerWrites, reachable, localWrites, workedOutAt);
    }

    Remote at(String name, Instant now, Duration connectTakes) {
      if (failure != null) {
        return down(name, failure);
      }
      if (now.isBefore(since.plus(connectTakes))) {
        return new Remote(
            name,
            false,
            "synchronizing",
            List.of(),
            "remote cluster not ready yet: synchronization in progress",
            since);
      }
      return new Remote(
          name,
          true,
          nodes.size()
              + " nodes, "
              + nodes.size()
              + " endpoints, 4 identities, 0 services, 0 MCS-API service exports, 0 reconnections (last: never)",
          nodes,
          null,
          since);
    }
  }

  private record LinkKey(SandboxCluster local, String dialingPodUid, String name, String config) {}

  /**
   * Schedules, for every remote configured on {@code cluster}, a check at the moment its connection
   * should be up; a remote ready then is logged as connected at that moment. Called when the secret
   * changes and when new agent pods start. Runs the API reads on a worker.
   */
  void connectChecksLater(SandboxCluster cluster) {
    sandbox.workers().execute(() -> scheduleConnectChecks(cluster));
  }

  private void scheduleConnectChecks(SandboxCluster cluster) {
    try {
      Optional<Pod> agent = newestAgent(cluster);
      if (agent.isEmpty()) {
        return;
      }
      Instant podStarted = startedAt(agent.get());
      if (cluster.reads().secret(NS, KVSTOREMESH_SECRET) != null) {
        Optional<Pod> kvstoremesh = MeshTls.etcdPod(cluster.reads());
        if (kvstoremesh.isPresent() && startedAt(kvstoremesh.get()).isAfter(podStarted)) {
          podStarted = startedAt(kvstoremesh.get());
        }
      }
      String podName = agent.get().getMetadata().getName();
      for (String name : cluster.activity().meshEntryNames()) {
        Instant written = cluster.activity().meshEntrySince(name);
        Instant since = written == null || written.isBefore(podStarted) ? podStarted : written;
        Instant due = since.plus(sandbox.latencies().of(SandboxStep.MESH_CONNECT, cluster.ref()));
        sandbox.schedule(
            due, () -> sandbox.workers().execute(() -> connectCheck(cluster, podName, name, due)));
      }
    } catch (RuntimeException e) {
      log.debug("sandbox: no connection checks for {}: {}", cluster.name(), e.toString());
    }
  }

  private void connectCheck(SandboxCluster cluster, String podName, String name, Instant due) {
    try {
      Pod pod = cluster.reads().pod(NS, podName);
      Secret config = cluster.reads().secret(NS, ClusterActivity.MESH_SECRET);
      if (pod == null || config == null) {
        return;
      }
      String etcdConfig = ClusterActivity.entries(config).get(name);
      if (etcdConfig == null) {
        return;
      }
      Remote r =
          remote(cluster, pod, name, etcdConfig, hostAliases(pod), startedAt(pod), Instant.now());
      if (r.ready() && cluster.activity().firstConnect(name, r.since())) {
        Instant at = due.isAfter(r.since()) ? due : r.since();
        sandbox.recorder().finished(SandboxStep.MESH_CONNECT, cluster.ref(), "remote " + name, at);
      }
    } catch (RuntimeException e) {
      log.debug(
          "sandbox: connection check of {} on {} failed: {}", name, cluster.name(), e.toString());
    }
  }

  private static Optional<Pod> newestAgent(SandboxCluster cluster) {
    return cluster.reads().pods(NS, "k8s-app", "cilium").stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .max(Comparator.comparing(CiliumAgents::startedAt));
  }

  private static Remote down(String name, String failure) {
    return new Remote(name, false, "not connected", List.of(), failure, null);
  }

  /** Whether {@code ip} is the LoadBalancer address of the cluster's mesh endpoint on 2379. */
  private static boolean servesMesh(ClusterReads reads, String ip) {
    Service svc = reads.service(NS, "clustermesh-apiserver");
    return svc != null
        && MetalLbController.ingressIp(svc).map(ip::equals).orElse(false)
        && svc.getSpec().getPorts().stream()
            .anyMatch(p -> Integer.valueOf(2379).equals(p.getPort()));
  }

  private static boolean apiserverAvailable(ClusterReads reads) {
    var d = reads.deployment(NS, "clustermesh-apiserver");
    return d != null
        && d.getStatus() != null
        && d.getStatus().getAvailableReplicas() != null
        && d.getStatus().getAvailableReplicas() > 0;
  }

  static Optional<String> clusterName(ClusterReads reads) {
    ConfigMap cm = reads.configMap(NS, "cilium-config");
    return Optional.ofNullable(cm).map(ConfigMap::getData).map(d -> d.get("cluster-name"));
  }

  /** The host aliases of the agent pod itself (what its /etc/hosts resolves). */
  private static Map<String, String> hostAliases(Pod pod) {
    Map<String, String> out = new LinkedHashMap<>();
    if (pod.getSpec() != null && pod.getSpec().getHostAliases() != null) {
      for (HostAlias alias : pod.getSpec().getHostAliases()) {
        alias.getHostnames().forEach(h -> out.put(h, alias.getIp()));
      }
    }
    return out;
  }

  /** When the sandbox's kubelet started {@code pod} (the epoch for pods it did not start). */
  static Instant startedAt(Pod pod) {
    Map<String, String> annotations = pod.getMetadata().getAnnotations();
    String at = annotations == null ? null : annotations.get(Controllers.STARTED_AT);
    try {
      return at == null ? Instant.EPOCH : Instant.parse(at);
    } catch (DateTimeParseException e) {
      return Instant.EPOCH;
    }
  }
}
