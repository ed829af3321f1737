package io.meshorch.sandbox.kube;

import static io.meshorch.sandbox.kube.KubeFixture.KS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pod starts only when its ServiceAccount, the ConfigMaps and Secrets it mounts or reads in env
 * exist and its images are pinned; otherwise it fails as on a real cluster, with the real words,
 * and the workload never becomes ready. Objects as the Cilium 1.18.12 chart and MetalLB v0.15.3
 * manifests render them.
 */
class PodRefusalsIT {
  private static final String METALLB = "metallb-native-v0.15.3.yaml";
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final AtomicInteger CLUSTERS = new AtomicInteger();
  private static SandboxKube kube;
  @TempDir static Path dir;
  private KubernetesClient c;

  @BeforeAll
  static void start() {
    kube = SandboxKube.builder().controllerInterval(Duration.ofMillis(100)).build().start();
  }

  @AfterAll
  static void stop() {
    kube.close();
  }

  @BeforeEach
  void cluster() throws Exception {
    int n = CLUSTERS.incrementAndGet();
    c = KubeFixture.up(kube, dir, "refusals-" + n, "127.23." + n + ".1").client();
  }

  private Deployment deployment(String ns, String name) {
    return c.apps().deployments().inNamespace(ns).withName(name).get();
  }

  private DaemonSet daemonSet(String ns, String name) {
    return c.apps().daemonSets().inNamespace(ns).withName(name).get();
  }

  private List<Pod> pods(String ns, String label, String value) {
    return c.pods().inNamespace(ns).withLabel(label, value).list().getItems();
  }

  private List<String> events(String ns, String reason) {
    return c.v1().events().inNamespace(ns).list().getItems().stream()
        .filter(e -> reason.equals(e.getReason()))
        .map(Event::getMessage)
        .toList();
  }

  private static String replicaFailure(Deployment d) {
    if (d == null || d.getStatus() == null || d.getStatus().getConditions() == null) {
      return null;
    }
    return d.getStatus().getConditions().stream()
        .filter(x -> "ReplicaFailure".equals(x.getType()))
        .map(DeploymentCondition::getMessage)
        .findFirst()
        .orElse(null);
  }

  private static int available(Deployment d) {
    return d == null || d.getStatus() == null || d.getStatus().getAvailableReplicas() == null
        ? 0
        : d.getStatus().getAvailableReplicas();
  }

  /** Cilium's official chart rendered with the test's CA {@code ca-1}. */
  private List<HasMetadata> cilium() {
    return KubeFixture.cilium(c, "ca-1");
  }

  /** MetalLB's official manifests. */
  private List<HasMetadata> metallb() {
    return KubeFixture.upstream(c, METALLB);
  }

  @Test
  void aPodWhoseServiceAccountIsMissingIsNeverCreated() {
    KubeFixture.installExcept(c, cilium(), "ServiceAccount/cilium-operator");

    await()
        .atMost(WAIT)
        .until(() -> replicaFailure(deployment(KS, "cilium-operator")), Objects::nonNull);
    String expected =
        "pods \"cilium-operator-\" is forbidden: error looking up service account"
            + " kube-system/cilium-operator: serviceaccount \"cilium-operator\" not found";
    assertThat(replicaFailure(deployment(KS, "cilium-operator"))).isEqualTo(expected);
    assertThat(available(deployment(KS, "cilium-operator"))).isZero();
    assertThat(pods(KS, "name", "cilium-operator")).isEmpty();
    assertThat(events(KS, "FailedCreate")).contains("Error creating: " + expected);

    c.resource(KubeFixture.object(cilium(), "ServiceAccount/cilium-operator")).create();

    await().atMost(WAIT).until(() -> available(deployment(KS, "cilium-operator")) == 2);
    assertThat(replicaFailure(deployment(KS, "cilium-operator"))).isNull();
  }

  @Test
  void aMissingConfigMapStopsMountsAndEnvWithTheKubeletsWords() {
    KubeFixture.installExcept(c, cilium(), "ConfigMap/cilium-config");

    // The operator mounts cilium-config: its pods stay ContainerCreating.
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              assertThat(events(KS, "FailedMount"))
                  .contains(
                      "MountVolume.SetUp failed for volume \"cilium-config-path\" : configmap"
                          + " \"cilium-config\" not found");
              assertThat(pods(KS, "name", "cilium-operator"))
                  .hasSize(2)
                  .allSatisfy(
                      p -> {
                        assertThat(p.getStatus().getPhase()).isEqualTo("Pending");
                        assertThat(p.getStatus().getContainerStatuses()).isNotEmpty();
                        assertThat(
                                p.getStatus().getContainerStatuses().get(0).getState().getWaiting())
                            .satisfies(
                                w -> assertThat(w.getReason()).isEqualTo("ContainerCreating"));
                      });
            });
    // The clustermesh-apiserver's etcd-init reads the cluster name from it in env.
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(pods(KS, "k8s-app", "clustermesh-apiserver"))
                    .singleElement()
                    .satisfies(
                        p -> {
                          assertThat(p.getStatus().getInitContainerStatuses()).isNotEmpty();
                          ContainerStatus init = p.getStatus().getInitContainerStatuses().get(0);
                          assertThat(init.getName()).isEqualTo("etcd-init");
                          assertThat(init.getState().getWaiting().getReason())
                              .isEqualTo("CreateContainerConfigError");
                          assertThat(init.getState().getWaiting().getMessage())
                              .isEqualTo("configmap \"cilium-config\" not found");
                        }));
    // The kubelet writes the pod's status, then its event.
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(events(KS, "Failed"))
                    .contains("Error: configmap \"cilium-config\" not found"));
    assertThat(available(deployment(KS, "clustermesh-apiserver"))).isZero();

    c.resource(KubeFixture.object(cilium(), "ConfigMap/cilium-config")).create();

    await()
        .atMost(WAIT)
        .until(
            () ->
                available(deployment(KS, "cilium-operator")) == 2
                    && available(deployment(KS, "clustermesh-apiserver")) == 1);
    // The pods the kubelet held back run now, and say nothing of what held them.
    assertThat(pods(KS, "name", "cilium-operator"))
        .hasSize(2)
        .allSatisfy(
            p -> {
              assertThat(p.getStatus().getPhase()).isEqualTo("Running");
              assertThat(p.getMetadata().getAnnotations()).doesNotContainKey(PodStates.REFUSAL);
            });
  }

  @Test
  void aMissingSecretOfAVolumeOrOfAProjectedVolumeKeepsThePodsContainerCreating() {
    // Without its controller, nothing creates the memberlist secret the speakers mount.
    KubeFixture.installExcept(c, metallb(), "Deployment/controller");
    KubeFixture.installExcept(c, cilium(), "Secret/clustermesh-apiserver-server-cert");

    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              assertThat(events("metallb-system", "FailedMount"))
                  .contains(
                      "MountVolume.SetUp failed for volume \"memberlist\" : secret \"memberlist\""
                          + " not found");
              assertThat(events(KS, "FailedMount"))
                  .contains(
                      "MountVolume.SetUp failed for volume \"etcd-server-secrets\" : secret"
                          + " \"clustermesh-apiserver-server-cert\" not found");
            });
    assertThat(daemonSet("metallb-system", "speaker").getStatus().getNumberReady()).isZero();
    assertThat(available(deployment(KS, "clustermesh-apiserver"))).isZero();
    // The agents' projected clustermesh-secrets are all optional: they run without them.
    await().atMost(WAIT).until(() -> daemonSet(KS, "cilium").getStatus().getNumberReady() == 2);

    c.resource(KubeFixture.object(cilium(), "Secret/clustermesh-apiserver-server-cert")).create();
    c.resource(KubeFixture.object(metallb(), "Deployment/controller")).create();

    await()
        .atMost(WAIT)
        .until(
            () ->
                available(deployment(KS, "clustermesh-apiserver")) == 1
                    && daemonSet("metallb-system", "speaker").getStatus().getNumberReady() == 2);
  }

  @Test
  void anImageWithoutATagOrWithLatestIsRefused() {
    KubeFixture.installExcept(c, cilium(), "Deployment/cilium-operator");
    Deployment operator = (Deployment) KubeFixture.object(cilium(), "Deployment/cilium-operator");
    operator
        .getSpec()
        .getTemplate()
        .getSpec()
        .getContainers()
        .get(0)
        .setImage("quay.io/cilium/operator-generic:latest");
    c.resource(operator).create();

    await()
        .atMost(WAIT)
        .until(() -> replicaFailure(deployment(KS, "cilium-operator")), Objects::nonNull);
    assertThat(replicaFailure(deployment(KS, "cilium-operator")))
        .isEqualTo(
            "pods \"cilium-operator-\" is forbidden: image"
                + " \"quay.io/cilium/operator-generic:latest\": Using a mutable image tag e.g."
                + " 'latest' is not allowed.");
    assertThat(pods(KS, "name", "cilium-operator")).isEmpty();

    c.apps()
        .deployments()
        .inNamespace(KS)
        .withName("cilium-operator")
        .edit(
            d -> {
              d.getSpec()
                  .getTemplate()
                  .getSpec()
                  .getContainers()
                  .get(0)
                  .setImage("quay.io/cilium/operator-generic");
              return d;
            });

    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(replicaFailure(deployment(KS, "cilium-operator")))
                    .endsWith(
                        "image \"quay.io/cilium/operator-generic\": An image tag is required."));
  }
}
