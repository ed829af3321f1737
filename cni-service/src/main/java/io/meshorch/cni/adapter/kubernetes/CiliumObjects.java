package io.meshorch.cni.adapter.kubernetes;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.meshorch.cni.domain.CiliumManifest;
import io.meshorch.cni.domain.MeshCa;
import io.meshorch.cni.domain.Mount;
import io.meshorch.cni.domain.Workload;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/** Maps cni-service's domain manifest onto fabric8 model objects; decides nothing itself. */
final class CiliumObjects {
  private static final String NS = CiliumManifest.NAMESPACE;
  private static final Map<String, String> PART_OF = Map.of("app.kubernetes.io/part-of", "cilium");

  private CiliumObjects() {}

  /**
   * Secret {@code kube-system/cilium-ca}; values base64 in {@code data}, as the API stores them.
   */
  static Secret caSecret(MeshCa ca) {
    Base64.Encoder base64 = Base64.getEncoder();
    return new SecretBuilder()
        .withMetadata(meta(CiliumManifest.CA_SECRET, PART_OF))
        .withType("Opaque")
        .addToData(CiliumManifest.CA_CERT_KEY, base64.encodeToString(ca.certificateBytes()))
        .addToData(CiliumManifest.CA_KEY_KEY, base64.encodeToString(ca.privateKeyBytes()))
        .build();
  }

  static ConfigMap configMap(CiliumManifest manifest) {
    return new ConfigMapBuilder()
        .withMetadata(meta(CiliumManifest.CONFIG_MAP, PART_OF))
        .withData(manifest.config())
        .build();
  }

  static ServiceAccount serviceAccount(String name) {
    return new ServiceAccountBuilder().withMetadata(meta(name, PART_OF)).build();
  }

  static DaemonSet daemonSet(Workload w) {
    return new DaemonSetBuilder()
        .withMetadata(meta(w.name(), w.labels()))
        .withNewSpec()
        .withNewSelector()
        .withMatchLabels(w.selector())
        .endSelector()
        .withTemplate(podTemplate(w))
        .withNewUpdateStrategy()
        .withType("RollingUpdate")
        .endUpdateStrategy()
        .endSpec()
        .build();
  }

  static Deployment deployment(Workload w) {
    return new DeploymentBuilder()
        .withMetadata(meta(w.name(), w.labels()))
        .withNewSpec()
        .withReplicas(w.replicas())
        .withNewSelector()
        .withMatchLabels(w.selector())
        .endSelector()
        .withTemplate(podTemplate(w))
        .endSpec()
        .build();
  }

  private static PodTemplateSpec podTemplate(Workload w) {
    PodTemplateSpecBuilder template =
        new PodTemplateSpecBuilder()
            .withNewMetadata()
            .withLabels(w.labels())
            .endMetadata()
            .withNewSpec()
            .withServiceAccountName(w.serviceAccount())
            .withHostNetwork(w.hostNetwork())
            .withContainers(container(w))
            .withVolumes(volumes(w))
            .endSpec();
    if (w.hostNetwork()) {
      template.editSpec().withDnsPolicy("ClusterFirstWithHostNet").endSpec();
    }
    if (w.tolerateAllTaints()) {
      template
          .editSpec()
          .withTolerations(new TolerationBuilder().withOperator("Exists").build())
          .endSpec();
    }
    return template.build();
  }

  private static Container container(Workload w) {
    List<EnvVar> env = new ArrayList<>();
    w.env().forEach((name, value) -> env.add(new EnvVar(name, value, null)));
    w.fieldEnv()
        .forEach(
            (name, path) ->
                env.add(
                    new EnvVarBuilder()
                        .withName(name)
                        .withNewValueFrom()
                        .withNewFieldRef()
                        .withApiVersion("v1")
                        .withFieldPath(path)
                        .endFieldRef()
                        .endValueFrom()
                        .build()));
    ContainerBuilder container =
        new ContainerBuilder()
            .withName(w.container())
            .withImage(w.image())
            .withImagePullPolicy("IfNotPresent")
            .withCommand(w.command())
            .withArgs(w.args())
            .withEnv(env)
            .withVolumeMounts(mounts(w));
    if (w.privileged()) {
      container.withNewSecurityContext().withPrivileged(true).endSecurityContext();
    }
    return container.build();
  }

  private static List<VolumeMount> mounts(Workload w) {
    return w.mounts().stream()
        .map(
            m ->
                new VolumeMountBuilder()
                    .withName(m.name())
                    .withMountPath(m.mountPath())
                    .withReadOnly(m.readOnly() ? Boolean.TRUE : null)
                    .build())
        .toList();
  }

  private static List<Volume> volumes(Workload w) {
    return w.mounts().stream().map(CiliumObjects::volume).toList();
  }

  private static Volume volume(Mount m) {
    VolumeBuilder volume = new VolumeBuilder().withName(m.name());
    return switch (m.source()) {
      case HOST_PATH -> volume.withNewHostPath().withPath(m.sourceName()).endHostPath().build();
      case CONFIG_MAP -> volume.withNewConfigMap().withName(m.sourceName()).endConfigMap().build();
      case SECRET ->
          volume
              .withNewSecret()
              .withSecretName(m.sourceName())
              .withOptional(m.optional() ? Boolean.TRUE : null)
              .endSecret()
              .build();
    };
  }

  private static ObjectMeta meta(String name, Map<String, String> labels) {
    return new ObjectMetaBuilder().withName(name).withNamespace(NS).withLabels(labels).build();
  }
}
