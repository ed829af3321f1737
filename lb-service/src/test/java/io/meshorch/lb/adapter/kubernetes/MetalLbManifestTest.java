package io.meshorch.lb.adapter.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.meshorch.kube.KubeApply;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class MetalLbManifestTest {

  static byte[] bundled() {
    try (InputStream in =
        MetalLbManifestTest.class.getResourceAsStream("/metallb/metallb-native-v0.15.3.yaml")) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static MetalLbManifest load() {
    return MetalLbManifest.load(MetalLbManifest.BUNDLED, bundled(), MetalLbManifest.BUNDLED_SHA256);
  }

  @Test
  void refusesAFileWhoseChecksumDiffersNamingFileExpectedAndActual() {
    byte[] tampered =
        (new String(bundled(), StandardCharsets.UTF_8) + "\n# edited\n")
            .getBytes(StandardCharsets.UTF_8);

    assertThatThrownBy(
            () ->
                MetalLbManifest.load(
                    "file:/etc/meshorch/metallb.yaml", tampered, MetalLbManifest.BUNDLED_SHA256))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("file:/etc/meshorch/metallb.yaml")
        .hasMessageContaining("expected sha256 " + MetalLbManifest.BUNDLED_SHA256)
        .hasMessageContaining("found " + MetalLbManifest.sha256(tampered));
  }

  @Test
  void acceptsAnotherFileWithItsOwnChecksum() {
    String other =
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: controller, namespace: metallb-system}
        spec:
          selector: {matchLabels: {component: controller}}
          template:
            metadata: {labels: {component: controller}}
            spec:
              containers:
              - {name: controller, image: quay.io/metallb/controller:v0.15.2}
        """;
    byte[] bytes = other.getBytes(StandardCharsets.UTF_8);

    MetalLbManifest manifest =
        MetalLbManifest.load("file:/tmp/other.yaml", bytes, MetalLbManifest.sha256(bytes));

    assertThat(manifest.release().version()).isEqualTo("0.15.2");
    assertThat(manifest.objects()).hasSize(1);
  }

  @Test
  void holdsEveryObjectOfTheOfficialManifestsMarkedAsTheHelmReleaseMetallb() {
    MetalLbManifest manifest = load();
    List<HasMetadata> objects = manifest.objects();

    assertThat(manifest.release().version()).isEqualTo("0.15.3");
    assertThat(objects).as("every document of the file").hasSize(26);
    assertThat(objects.get(0).getKind()).as("the namespace comes first").isEqualTo("Namespace");
    assertThat(objects)
        .filteredOn(CustomResourceDefinition.class::isInstance)
        .extracting(o -> o.getMetadata().getName())
        .containsExactly(
            "bfdprofiles.metallb.io",
            "bgpadvertisements.metallb.io",
            "bgppeers.metallb.io",
            "communities.metallb.io",
            "configurationstates.metallb.io",
            "ipaddresspools.metallb.io",
            "l2advertisements.metallb.io",
            "servicebgpstatuses.metallb.io",
            "servicel2statuses.metallb.io");
    assertThat(objects)
        .extracting(o -> o.getKind() + " " + o.getMetadata().getName())
        .contains(
            "ServiceAccount controller",
            "ServiceAccount speaker",
            "Role controller",
            "Role pod-lister",
            "ClusterRole metallb-system:controller",
            "ClusterRole metallb-system:speaker",
            "RoleBinding controller",
            "RoleBinding pod-lister",
            "ClusterRoleBinding metallb-system:controller",
            "ClusterRoleBinding metallb-system:speaker",
            "ConfigMap metallb-excludel2",
            "Secret metallb-webhook-cert",
            "Service metallb-webhook-service",
            "Deployment controller",
            "DaemonSet speaker",
            "ValidatingWebhookConfiguration metallb-webhook-configuration");
    assertThat(objects)
        .allSatisfy(
            o -> {
              assertThat(o.getMetadata().getLabels()).containsEntry(KubeApply.MANAGED_BY, "Helm");
              assertThat(o.getMetadata().getAnnotations())
                  .containsEntry(KubeApply.RELEASE_NAME, "metallb")
                  .containsEntry(KubeApply.RELEASE_NAMESPACE, "metallb-system");
            });
  }

  @Test
  void keepsWhatTheControllerAndSpeakerNeedAndLeavesControllerOwnedFieldsOut() {
    List<HasMetadata> objects = load().objects();

    ValidatingWebhookConfiguration webhooks = one(objects, ValidatingWebhookConfiguration.class);
    assertThat(webhooks.getWebhooks())
        .extracting(w -> w.getName())
        .contains(
            "ipaddresspoolvalidationwebhook.metallb.io",
            "l2advertisementvalidationwebhook.metallb.io");
    assertThat(webhooks.getWebhooks())
        .as("the caBundle is the controller's to inject")
        .allSatisfy(w -> assertThat(w.getClientConfig().getCaBundle()).isNull());
    assertThat(one(objects, Secret.class).getData())
        .as("the controller writes the cert")
        .isNullOrEmpty();
    Deployment controller = one(objects, Deployment.class);
    assertThat(controller.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv())
        .extracting(EnvVar::getName, EnvVar::getValue)
        .contains(
            org.assertj.core.groups.Tuple.tuple("METALLB_ML_SECRET_NAME", "memberlist"),
            org.assertj.core.groups.Tuple.tuple("METALLB_DEPLOYMENT", "controller"));
    DaemonSet speaker = one(objects, DaemonSet.class);
    assertThat(speaker.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv())
        .extracting(EnvVar::getName)
        .contains(
            "METALLB_NODE_NAME",
            "METALLB_POD_NAME",
            "METALLB_HOST",
            "METALLB_ML_BIND_ADDR",
            "METALLB_ML_LABELS",
            "METALLB_ML_SECRET_KEY_PATH");
    assertThat(speaker.getSpec().getTemplate().getSpec().getVolumes())
        .anySatisfy(v -> assertThat(v.getSecret().getSecretName()).isEqualTo("memberlist"));
  }

  @Test
  void handsOutFreshCopiesSoCallersCannotChangeTheNextInstall() {
    MetalLbManifest manifest = load();
    manifest.objects().get(0).getMetadata().setName("changed");

    assertThat(manifest.objects().get(0).getMetadata().getName()).isEqualTo("metallb-system");
  }

  private static <T> T one(List<HasMetadata> objects, Class<T> type) {
    return objects.stream().filter(type::isInstance).map(type::cast).findFirst().orElseThrow();
  }
}
