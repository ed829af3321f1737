package io.meshorch.sandbox.kube;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * What the sandbox's agents read of one cluster (its pods, the Secrets and ConfigMaps their volumes
 * mount, Services, Deployments, nodes), as of the cluster's latest write: each read is answered
 * from the API server once and then from memory until the cluster's next write, as the kubelet's
 * and the agents' informers keep what they watch. A read that begins before a write and ends after
 * it is stored under the count of writes seen when it began, so it is read again at once.
 *
 * <p>The objects returned are shared: callers must not change them.
 */
final class ClusterReads {
  private record Entry(long writes, Object value) {}

  private final KubernetesClient client;
  private final LongSupplier writes;
  private final Map<String, Entry> entries = new ConcurrentHashMap<>();

  /**
   * @param client the cluster's API client
   * @param writes how many changes the cluster's API server has stored so far
   */
  ClusterReads(KubernetesClient client, LongSupplier writes) {
    this.client = client;
    this.writes = writes;
  }

  Pod pod(String ns, String name) {
    return read("pod/" + ns + "/" + name, () -> client.pods().inNamespace(ns).withName(name).get());
  }

  /** The pods of {@code ns} with label {@code key=value}. */
  List<Pod> pods(String ns, String key, String value) {
    return read(
        "pods/" + ns + "/" + key + "=" + value,
        () -> client.pods().inNamespace(ns).withLabel(key, value).list().getItems());
  }

  Secret secret(String ns, String name) {
    return read(
        "secret/" + ns + "/" + name, () -> client.secrets().inNamespace(ns).withName(name).get());
  }

  ConfigMap configMap(String ns, String name) {
    return read(
        "configmap/" + ns + "/" + name,
        () -> client.configMaps().inNamespace(ns).withName(name).get());
  }

  Service service(String ns, String name) {
    return read(
        "service/" + ns + "/" + name, () -> client.services().inNamespace(ns).withName(name).get());
  }

  Deployment deployment(String ns, String name) {
    return read(
        "deployment/" + ns + "/" + name,
        () -> client.apps().deployments().inNamespace(ns).withName(name).get());
  }

  List<Node> nodes() {
    return read("nodes", () -> client.nodes().list().getItems());
  }

  @SuppressWarnings("unchecked")
  private <T> T read(String key, Supplier<T> fromServer) {
    long now = writes.getAsLong();
    Entry known = entries.get(key);
    if (known != null && known.writes() == now) {
      return ((Optional<T>) known.value()).orElse(null);
    }
    T value = fromServer.get();
    entries.put(key, new Entry(now, Optional.ofNullable(value)));
    return value;
  }
}
