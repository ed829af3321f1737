package io.meshorch.sandbox.kube;

import io.fabric8.kubernetes.api.model.HostAlias;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Plays the {@code kvstoremesh} container of the clustermesh-apiserver, as the Cilium chart
 * installs it with KVStoreMesh on (the default since 1.16): the agents' Secret {@code
 * cilium-clustermesh} points every remote at the local clustermesh-apiserver ({@value
 * #LOCAL_ENDPOINT}), whose KVStoreMesh reads Secret {@code cilium-kvstoremesh} (one etcd config per
 * remote, {@code https://<name>.mesh.cilium.io:2379}) and dials each remote, resolving its name
 * through the host aliases of the clustermesh-apiserver pods (not the agents'). What an agent sees
 * of a remote is what its local KVStoreMesh got from it.
 */
final class KvstoreMesh {
  /** The endpoint the chart writes into {@code cilium-clustermesh} with KVStoreMesh on. */
  static final String LOCAL_ENDPOINT = "https://clustermesh-apiserver.kube-system.svc:2379";

  static final String SECRET = "cilium-kvstoremesh";

  /** What an agent reports for a remote its KVStoreMesh has nothing for. */
  static final String NOT_CACHED = "remote cluster configuration required but not found";

  /** What {@code cilium clustermesh status} runs in the {@code kvstoremesh} container. */
  static final List<String> STATUS_COMMAND =
      List.of("clustermesh-apiserver", "kvstoremesh-dbg", "status", "-o", "json");

  private static final String NS = "kube-system";

  private KvstoreMesh() {}

  /** Dials a remote directly, as an agent without KVStoreMesh does. */
  @FunctionalInterface
  interface Dial<R> {
    /**
     * @param etcdConfig the remote's etcd config
     * @param aliases host name to IP, as the dialling pod resolves them
     * @param since when the dialling side last (re)started
     */
    R dial(String etcdConfig, Map<String, String> aliases, Instant since);
  }

  /**
   * What an agent that started at {@code agentStarted} sees of remote {@code name} through the
   * local KVStoreMesh: the remote as the newest clustermesh-apiserver pod dials it (its host
   * aliases, the {@code cilium-kvstoremesh} entry, since the later of both pods' starts); {@code
   * down} with the agent's words when no clustermesh-apiserver pod runs or its KVStoreMesh has no
   * configuration for the remote.
   */
  static <R> R through(
      SandboxCluster local,
      String name,
      Instant agentStarted,
      Dial<R> dial,
      Function<String, R> down) {
    KubernetesClient client = local.client();
    Optional<Pod> apiserver = newestApiserverPod(client);
    if (apiserver.isEmpty()) {
      return down.apply(
          "dial tcp clustermesh-apiserver.kube-system.svc:2379: connect: connection refused");
    }
    Secret config = client.secrets().inNamespace(NS).withName(SECRET).get();
    String entry = config == null ? null : ClusterActivity.entries(config).get(name);
    if (entry == null) {
      return down.apply(NOT_CACHED);
    }
    Instant started = CiliumAgents.startedAt(apiserver.get());
    Instant since = started.isAfter(agentStarted) ? started : agentStarted;
    return dial.dial(entry, aliases(apiserver.get()), since);
  }

  private static Optional<Pod> newestApiserverPod(KubernetesClient client) {
    List<Pod> pods =
        client
            .pods()
            .inNamespace(NS)
            .withLabel("k8s-app", "clustermesh-apiserver")
            .list()
            .getItems();
    return pods.stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .max(Comparator.comparing(CiliumAgents::startedAt));
  }

  private static Map<String, String> aliases(Pod pod) {
    Map<String, String> out = new LinkedHashMap<>();
    if (pod.getSpec() != null && pod.getSpec().getHostAliases() != null) {
      for (HostAlias alias : pod.getSpec().getHostAliases()) {
        alias.getHostnames().forEach(h -> out.put(h, alias.getIp()));
      }
    }
    return out;
  }
}
