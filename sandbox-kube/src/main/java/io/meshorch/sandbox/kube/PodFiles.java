package io.meshorch.sandbox.kube;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a container of a pod reads at a path, as the kubelet lays its volumes out: the volume
 * mounted at the longest prefix of the path, then for a {@code secret}, {@code configMap} or {@code
 * projected} volume the key that lands at the rest of the path ({@code items} map keys to paths;
 * without items every key is a file of its own name). Read from the cluster's current Secrets and
 * ConfigMaps (as of its latest write, {@link ClusterReads}), as a projected volume is refreshed by
 * the kubelet.
 */
final class PodFiles {
  private PodFiles() {}

  /**
   * The content of {@code path} as container {@code container} of {@code pod} sees it (null: any
   * container mounting it), or empty when no volume provides it ({@code open <path>: no such file
   * or directory}).
   */
  static Optional<String> read(ClusterReads reads, Pod pod, String container, String path) {
    if (pod.getSpec() == null) {
      return Optional.empty();
    }
    String ns = pod.getMetadata().getNamespace();
    List<Container> containers = new ArrayList<>(pod.getSpec().getContainers());
    if (pod.getSpec().getInitContainers() != null) {
      containers.addAll(pod.getSpec().getInitContainers());
    }
    VolumeMount best = null;
    for (Container c : containers) {
      if (container != null && !container.equals(c.getName()) || c.getVolumeMounts() == null) {
        continue;
      }
      for (VolumeMount m : c.getVolumeMounts()) {
        String dir = m.getMountPath().endsWith("/") ? m.getMountPath() : m.getMountPath() + "/";
        if (path.startsWith(dir)
            && (best == null || m.getMountPath().length() > best.getMountPath().length())) {
          best = m;
        }
      }
    }
    if (best == null || pod.getSpec().getVolumes() == null) {
      return Optional.empty();
    }
    String name = best.getName();
    String dir =
        best.getMountPath().endsWith("/") ? best.getMountPath() : best.getMountPath() + "/";
    String rest = path.substring(dir.length());
    if (best.getSubPath() != null && !best.getSubPath().isEmpty()) {
      rest = best.getSubPath() + "/" + rest;
    }
    String file = rest;
    return pod.getSpec().getVolumes().stream()
        .filter(v -> v.getName().equals(name))
        .findFirst()
        .flatMap(v -> fromVolume(reads, ns, v, file));
  }

  private static Optional<String> fromVolume(ClusterReads reads, String ns, Volume v, String file) {
    if (v.getSecret() != null) {
      return fromSecret(reads, ns, v.getSecret().getSecretName(), v.getSecret().getItems(), file);
    }
    if (v.getConfigMap() != null) {
      return fromConfigMap(
          reads, ns, v.getConfigMap().getName(), v.getConfigMap().getItems(), file);
    }
    if (v.getProjected() != null && v.getProjected().getSources() != null) {
      for (VolumeProjection p : v.getProjected().getSources()) {
        Optional<String> found = Optional.empty();
        if (p.getSecret() != null) {
          found = fromSecret(reads, ns, p.getSecret().getName(), p.getSecret().getItems(), file);
        } else if (p.getConfigMap() != null) {
          found =
              fromConfigMap(
                  reads, ns, p.getConfigMap().getName(), p.getConfigMap().getItems(), file);
        }
        if (found.isPresent()) {
          return found;
        }
      }
    }
    return Optional.empty();
  }

  private static Optional<String> fromSecret(
      ClusterReads reads, String ns, String name, List<KeyToPath> items, String file) {
    Secret s = reads.secret(ns, name);
    if (s == null) {
      return Optional.empty();
    }
    return key(items, file)
        .flatMap(
            k -> {
              if (s.getData() != null && s.getData().containsKey(k)) {
                return Optional.of(
                    new String(
                        Base64.getDecoder().decode(s.getData().get(k)), StandardCharsets.UTF_8));
              }
              return Optional.ofNullable(
                  s.getStringData() == null ? null : s.getStringData().get(k));
            });
  }

  private static Optional<String> fromConfigMap(
      ClusterReads reads, String ns, String name, List<KeyToPath> items, String file) {
    ConfigMap cm = reads.configMap(ns, name);
    Map<String, String> data = cm == null ? null : cm.getData();
    return data == null ? Optional.empty() : key(items, file).map(data::get);
  }

  /** The key that lands at {@code file}: mapped by {@code items}, else the file name itself. */
  private static Optional<String> key(List<KeyToPath> items, String file) {
    if (items == null || items.isEmpty()) {
      return file.contains("/") ? Optional.empty() : Optional.of(file);
    }
    return items.stream().filter(i -> file.equals(i.getPath())).map(KeyToPath::getKey).findFirst();
  }
}
