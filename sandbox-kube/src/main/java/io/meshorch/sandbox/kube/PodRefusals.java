package io.meshorch.sandbox.kube;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapKeySelector;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Whether a workload's pod can start, checked in the order a real cluster checks it, with its
 * words:
 *
 * <ol>
 *   <li>admission: every image carries a pinned tag or a digest (no tag and {@code :latest} are
 *       refused, as a {@code disallow-latest-tag} admission policy does); the pod's ServiceAccount
 *       exists ({@code error looking up service account ns/x: serviceaccount "x" not found});
 *   <li>volumes: every non-optional Secret or ConfigMap a {@code secret}, {@code configMap} or
 *       {@code projected} volume names exists and has the keys its {@code items} list ({@code
 *       MountVolume.SetUp failed for volume "v" : secret "x" not found});
 *   <li>containers: every non-optional {@code valueFrom} / {@code envFrom} ConfigMap or Secret (and
 *       key) exists ({@code CreateContainerConfigError}: {@code configmap "x" not found}, {@code
 *       couldn't find key k in ConfigMap ns/x});
 *   <li>running: the component the sandbox plays ({@link ComponentRights}) finds the CRDs it waits
 *       for and is allowed what its informers do ({@link RbacAuthorizer}); otherwise it exits with
 *       its log as termination message ({@code CrashLoopBackOff}).
 * </ol>
 */
final class PodRefusals {
  private PodRefusals() {}

  /** The first reason {@code owner}'s pods cannot run, or empty when they can. */
  static Optional<Refusal> check(ClusterReads reads, HasMetadata owner, PodTemplateSpec t) {
    String ns = owner.getMetadata().getNamespace();
    PodSpec spec = t.getSpec();
    String podName = podPrefix(owner);
    List<Container> containers = containers(spec);
    for (Container c : containers) {
      Optional<String> image = unpinned(c.getImage());
      if (image.isPresent()) {
        return admission("pods \"" + podName + "\" is forbidden: " + image.get());
      }
    }
    String sa = serviceAccount(spec);
    if (reads.get(ServiceAccount.class, ns, sa) == null) {
      return admission(
          "pods \""
              + podName
              + "\" is forbidden: error looking up service account "
              + ns
              + "/"
              + sa
              + ": serviceaccount \""
              + sa
              + "\" not found");
    }
    Lookups lookups = new Lookups(reads, ns);
    if (spec.getVolumes() != null) {
      for (Volume v : spec.getVolumes()) {
        Optional<String> failure = volume(lookups, v);
        if (failure.isPresent()) {
          return Optional.of(
              new Refusal(
                  Refusal.Stage.MOUNT,
                  "FailedMount",
                  "MountVolume.SetUp failed for volume \"" + v.getName() + "\" : " + failure.get(),
                  null));
        }
      }
    }
    for (Container c : containers) {
      Optional<String> failure = env(lookups, ns, c);
      if (failure.isPresent()) {
        return Optional.of(
            new Refusal(
                Refusal.Stage.CONFIG, "CreateContainerConfigError", failure.get(), c.getName()));
      }
    }
    Optional<ComponentRights.Component> component = ComponentRights.of(owner);
    if (component.isPresent()) {
      String main = spec.getContainers().get(0).getName();
      Optional<String> failure = run(reads, component.get(), ns, sa);
      if (failure.isPresent()) {
        return Optional.of(new Refusal(Refusal.Stage.RUN, "CrashLoopBackOff", failure.get(), main));
      }
    }
    return Optional.empty();
  }

  private static Optional<Refusal> admission(String message) {
    return Optional.of(new Refusal(Refusal.Stage.ADMISSION, "FailedCreate", message, null));
  }

  /** What the controller's pods are called before their suffix (DaemonSet and ReplicaSet). */
  static String podPrefix(HasMetadata owner) {
    return owner.getMetadata().getName() + "-";
  }

  static String serviceAccount(PodSpec spec) {
    if (spec.getServiceAccountName() != null && !spec.getServiceAccountName().isEmpty()) {
      return spec.getServiceAccountName();
    }
    if (spec.getServiceAccount() != null && !spec.getServiceAccount().isEmpty()) {
      return spec.getServiceAccount();
    }
    return "default";
  }

  private static List<Container> containers(PodSpec spec) {
    List<Container> out = new ArrayList<>();
    if (spec.getInitContainers() != null) {
      out.addAll(spec.getInitContainers());
    }
    out.addAll(spec.getContainers());
    return out;
  }

  /**
   * Why {@code image} is not pinned, or empty when it carries a tag other than latest or a digest.
   */
  static Optional<String> unpinned(String image) {
    if (image == null || image.isBlank()) {
      return Optional.of("spec.containers[].image: Required value");
    }
    if (image.contains("@sha256:")) {
      return Optional.empty();
    }
    String last = image.substring(image.lastIndexOf('/') + 1);
    int colon = last.indexOf(':');
    if (colon < 0) {
      return Optional.of("image \"" + image + "\": An image tag is required.");
    }
    if (last.substring(colon + 1).equals("latest")) {
      return Optional.of(
          "image \"" + image + "\": Using a mutable image tag e.g. 'latest' is not allowed.");
    }
    return Optional.empty();
  }

  private static Optional<String> volume(Lookups lookups, Volume v) {
    if (v.getSecret() != null && !Boolean.TRUE.equals(v.getSecret().getOptional())) {
      return secretSource(lookups, v.getSecret().getSecretName(), v.getSecret().getItems());
    }
    if (v.getConfigMap() != null && !Boolean.TRUE.equals(v.getConfigMap().getOptional())) {
      return configMapSource(lookups, v.getConfigMap().getName(), v.getConfigMap().getItems());
    }
    if (v.getProjected() != null && v.getProjected().getSources() != null) {
      for (VolumeProjection p : v.getProjected().getSources()) {
        Optional<String> failure = Optional.empty();
        if (p.getSecret() != null && !Boolean.TRUE.equals(p.getSecret().getOptional())) {
          failure = secretSource(lookups, p.getSecret().getName(), p.getSecret().getItems());
        } else if (p.getConfigMap() != null
            && !Boolean.TRUE.equals(p.getConfigMap().getOptional())) {
          failure =
              configMapSource(lookups, p.getConfigMap().getName(), p.getConfigMap().getItems());
        }
        if (failure.isPresent()) {
          return failure;
        }
      }
    }
    return Optional.empty();
  }

  private static Optional<String> secretSource(Lookups l, String name, List<KeyToPath> items) {
    Secret s = l.secret(name);
    if (s == null) {
      return Optional.of("secret \"" + name + "\" not found");
    }
    Set<String> keys = keys(s.getData(), s.getStringData());
    return missingItem(items, keys).map(k -> "references non-existent secret key: " + k);
  }

  private static Optional<String> configMapSource(Lookups l, String name, List<KeyToPath> items) {
    ConfigMap cm = l.configMap(name);
    if (cm == null) {
      return Optional.of("configmap \"" + name + "\" not found");
    }
    Set<String> keys = keys(cm.getData(), cm.getBinaryData());
    return missingItem(items, keys).map(k -> "configmap references non-existent config key: " + k);
  }

  private static Optional<String> missingItem(List<KeyToPath> items, Set<String> keys) {
    if (items == null) {
      return Optional.empty();
    }
    return items.stream().map(KeyToPath::getKey).filter(k -> !keys.contains(k)).findFirst();
  }

  private static Set<String> keys(Map<String, String> a, Map<String, String> b) {
    Set<String> out = new HashSet<>();
    if (a != null) {
      out.addAll(a.keySet());
    }
    if (b != null) {
      out.addAll(b.keySet());
    }
    return out;
  }

  private static Optional<String> env(Lookups l, String ns, Container c) {
    if (c.getEnvFrom() != null) {
      for (EnvFromSource from : c.getEnvFrom()) {
        if (from.getConfigMapRef() != null
            && !Boolean.TRUE.equals(from.getConfigMapRef().getOptional())
            && l.configMap(from.getConfigMapRef().getName()) == null) {
          return Optional.of("configmap \"" + from.getConfigMapRef().getName() + "\" not found");
        }
        if (from.getSecretRef() != null
            && !Boolean.TRUE.equals(from.getSecretRef().getOptional())
            && l.secret(from.getSecretRef().getName()) == null) {
          return Optional.of("secret \"" + from.getSecretRef().getName() + "\" not found");
        }
      }
    }
    if (c.getEnv() == null) {
      return Optional.empty();
    }
    for (EnvVar e : c.getEnv()) {
      if (e.getValueFrom() == null) {
        continue;
      }
      ConfigMapKeySelector cmRef = e.getValueFrom().getConfigMapKeyRef();
      if (cmRef != null && !Boolean.TRUE.equals(cmRef.getOptional())) {
        ConfigMap cm = l.configMap(cmRef.getName());
        if (cm == null) {
          return Optional.of("configmap \"" + cmRef.getName() + "\" not found");
        }
        if (!keys(cm.getData(), cm.getBinaryData()).contains(cmRef.getKey())) {
          return Optional.of(
              "couldn't find key "
                  + cmRef.getKey()
                  + " in ConfigMap "
                  + ns
                  + "/"
                  + cmRef.getName());
        }
      }
      SecretKeySelector sRef = e.getValueFrom().getSecretKeyRef();
      if (sRef != null && !Boolean.TRUE.equals(sRef.getOptional())) {
        Secret s = l.secret(sRef.getName());
        if (s == null) {
          return Optional.of("secret \"" + sRef.getName() + "\" not found");
        }
        if (!keys(s.getData(), s.getStringData()).contains(sRef.getKey())) {
          return Optional.of(
              "couldn't find key " + sRef.getKey() + " in Secret " + ns + "/" + sRef.getName());
        }
      }
    }
    return Optional.empty();
  }

  private static Optional<String> run(
      ClusterReads reads, ComponentRights.Component component, String ns, String sa) {
    List<ComponentRights.Crd> missing = new ArrayList<>();
    for (ComponentRights.Crd crd : component.crds()) {
      if (!reads.exists(CustomResourceDefinition.class, null, crd.name())) {
        missing.add(crd);
      }
    }
    Optional<String> denied = RbacAuthorizer.firstDenied(reads, ns, sa, component.rights());
    if (denied.isPresent()) {
      return denied;
    }
    return missing.isEmpty() ? Optional.empty() : Optional.of(component.missingCrds(missing));
  }

  /** Each Secret and ConfigMap read once per check. */
  private static final class Lookups {
    private final ClusterReads reads;
    private final String ns;
    private final Map<String, Optional<Secret>> secrets = new java.util.HashMap<>();
    private final Map<String, Optional<ConfigMap>> configMaps = new java.util.HashMap<>();

    Lookups(ClusterReads reads, String ns) {
      this.reads = reads;
      this.ns = ns;
    }

    Secret secret(String name) {
      return secrets
          .computeIfAbsent(name, n -> Optional.ofNullable(reads.secret(ns, n)))
          .orElse(null);
    }

    ConfigMap configMap(String name) {
      return configMaps
          .computeIfAbsent(name, n -> Optional.ofNullable(reads.configMap(ns, n)))
          .orElse(null);
    }
  }
}
