package io.meshorch.cni.domain;

import java.util.Objects;

/**
 * A volume of a Cilium pod and where its container sees it.
 *
 * @param name volume name inside the pod
 * @param mountPath path inside the container
 * @param source where the volume comes from
 * @param sourceName the host path, ConfigMap name or Secret name
 * @param optional for Secret sources: the pod starts while the Secret is missing (it appears later,
 *     e.g. {@code cilium-clustermesh} written by mesh-service)
 * @param readOnly mounted read-only
 */
public record Mount(
    String name,
    String mountPath,
    Source source,
    String sourceName,
    boolean optional,
    boolean readOnly) {

  /** Kinds of volume sources the manifests use. */
  public enum Source {
    HOST_PATH,
    CONFIG_MAP,
    SECRET
  }

  public Mount {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(mountPath, "mountPath");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(sourceName, "sourceName");
  }

  /** A host directory, read-write. */
  static Mount hostPath(String name, String hostPath, String mountPath) {
    return new Mount(name, mountPath, Source.HOST_PATH, hostPath, false, false);
  }
}
