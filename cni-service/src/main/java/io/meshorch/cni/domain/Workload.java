package io.meshorch.cni.domain;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One Cilium component as it must run in the cluster: a DaemonSet or a Deployment with a single
 * container. The domain decides every name and value; the Kubernetes adapter only maps it.
 *
 * @param kind DaemonSet (one pod per node) or Deployment
 * @param name object name in {@link CiliumManifest#NAMESPACE}
 * @param labels labels of the object and its pod template
 * @param selector the pod selector, a subset of {@code labels}; never changes between releases
 * @param serviceAccount the pods' service account
 * @param container the container name
 * @param image the container image
 * @param command the container's command
 * @param args the container's arguments
 * @param env plain environment variables (kept sorted by name)
 * @param fieldEnv environment variables read from the pod's own fields, name to field path (sorted)
 * @param hostNetwork whether the pods use the node's network namespace
 * @param privileged whether the container runs privileged
 * @param tolerateAllTaints whether the pods tolerate every taint; needed by what must start on
 *     nodes that are NotReady because they have no CNI yet
 * @param replicas replicas of a Deployment (ignored for a DaemonSet)
 * @param mounts volumes and their mount points
 */
public record Workload(
    Kind kind,
    String name,
    Map<String, String> labels,
    Map<String, String> selector,
    String serviceAccount,
    String container,
    String image,
    List<String> command,
    List<String> args,
    Map<String, String> env,
    Map<String, String> fieldEnv,
    boolean hostNetwork,
    boolean privileged,
    boolean tolerateAllTaints,
    int replicas,
    List<Mount> mounts) {

  /** How the component is scheduled. */
  public enum Kind {
    DAEMON_SET,
    DEPLOYMENT
  }

  /** Copies the collections so that the record stays immutable. */
  public Workload {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(name, "name");
    labels = sorted(labels);
    selector = sorted(selector);
    if (!labels.entrySet().containsAll(selector.entrySet())) {
      throw new IllegalArgumentException(
          "selector " + selector + " must be among labels " + labels);
    }
    command = List.copyOf(command);
    args = List.copyOf(args);
    env = sorted(env);
    fieldEnv = sorted(fieldEnv);
    mounts = List.copyOf(mounts);
  }

  // Sorted, so that the rendered pod template is identical from one run to the next: a template
  // that merely changed its order would roll every agent pod.
  private static Map<String, String> sorted(Map<String, String> map) {
    return Collections.unmodifiableSortedMap(new TreeMap<>(map));
  }
}
