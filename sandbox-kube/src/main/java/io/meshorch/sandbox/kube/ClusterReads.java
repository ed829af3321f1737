package io.meshorch.sandbox.kube;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the sandbox's controllers and agents read of one cluster, as a real controller reads the
 * cache its informers keep: from the cluster's store in this process, not over HTTP, always as of
 * the latest write. The sandbox plays sixteen clusters and more in one process, and its reads over
 * HTTP (whole lists of pods, DaemonSets and Deployments at every controller pass, the agents' reads
 * of every remote cluster) cost more CPU than everything the product does; their writes still go
 * through the API, with its bookkeeping, admission and watches.
 *
 * <p>Each stored version of an object is parsed once: the store keeps one string per version, and
 * its parsed object is kept until the store lets go of that string. The objects returned are
 * therefore shared: callers must not change them (copy one before changing it to write it).
 */
final class ClusterReads {
  private static final Map<Class<? extends HasMetadata>, String[]> API = new ConcurrentHashMap<>();

  private final ObservedCrudDispatcher store;
  private final KubernetesSerialization serialization;

  /** Parsed objects by type, then by the stored JSON they were parsed from. */
  private final Map<Class<?>, Map<String, Object>> parsed = new ConcurrentHashMap<>();

  /**
   * @param store the cluster's API server's store
   * @param serialization parses what it holds
   */
  ClusterReads(ObservedCrudDispatcher store, KubernetesSerialization serialization) {
    this.store = store;
    this.serialization = serialization;
  }

  Pod pod(String ns, String name) {
    return get(Pod.class, ns, name);
  }

  /** The pods of {@code ns} with label {@code key=value}. */
  List<Pod> pods(String ns, String key, String value) {
    return read(
        Pod.class,
        path(Pod.class, ns, null)
            + "?labelSelector="
            + URLEncoder.encode(key + "=" + value, StandardCharsets.UTF_8));
  }

  Secret secret(String ns, String name) {
    return get(Secret.class, ns, name);
  }

  ConfigMap configMap(String ns, String name) {
    return get(ConfigMap.class, ns, name);
  }

  Service service(String ns, String name) {
    return get(Service.class, ns, name);
  }

  Deployment deployment(String ns, String name) {
    return get(Deployment.class, ns, name);
  }

  List<Node> nodes() {
    return list(Node.class);
  }

  /** Every object of {@code type}, of every namespace. */
  <T extends HasMetadata> List<T> list(Class<T> type) {
    return read(type, path(type, null, null));
  }

  /** The objects of {@code type} in namespace {@code ns}. */
  <T extends HasMetadata> List<T> list(Class<T> type, String ns) {
    return read(type, path(type, ns, null));
  }

  /** The object of {@code type} named {@code name} ({@code ns} null: cluster-scoped), or null. */
  <T extends HasMetadata> T get(Class<T> type, String ns, String name) {
    List<T> found = read(type, path(type, ns, name));
    return found.isEmpty() ? null : found.get(0);
  }

  /**
   * Whether the object of {@code type} named {@code name} exists, without parsing it (a CRD's
   * schema is large, and a pod's start asks for every CRD its component needs).
   */
  boolean exists(Class<? extends HasMetadata> type, String ns, String name) {
    return !store.read(path(type, ns, name)).isEmpty();
  }

  /** The custom resources {@code plural} of API {@code group/version} in namespace {@code ns}. */
  List<GenericKubernetesResource> custom(String apiVersion, String plural, String ns) {
    return read(
        GenericKubernetesResource.class,
        "/apis/" + apiVersion + "/namespaces/" + ns + "/" + plural);
  }

  private static String path(Class<? extends HasMetadata> type, String ns, String name) {
    String[] api = API.computeIfAbsent(type, ClusterReads::api);
    StringBuilder path = new StringBuilder(api[0]);
    if (ns != null) {
      path.append("/namespaces/").append(ns);
    }
    path.append('/').append(api[1]);
    if (name != null) {
      path.append('/').append(name);
    }
    return path.toString();
  }

  /** The API path and the plural of {@code type} (fabric8 works the plural out slowly). */
  private static String[] api(Class<? extends HasMetadata> type) {
    String group = HasMetadata.getGroup(type);
    String prefix = group == null || group.isEmpty() ? "/api/" : "/apis/" + group + "/";
    return new String[] {prefix + HasMetadata.getVersion(type), HasMetadata.getPlural(type)};
  }

  private <T> List<T> read(Class<T> type, String path) {
    Map<String, Object> cache =
        parsed.computeIfAbsent(type, t -> Collections.synchronizedMap(new WeakHashMap<>()));
    List<T> out = new ArrayList<>();
    for (String json : store.read(path)) {
      Object object = cache.get(json);
      if (object == null) {
        object = serialization.unmarshal(json, type);
        cache.put(json, object);
      }
      out.add(type.cast(object));
    }
    return out;
  }
}
