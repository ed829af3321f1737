package io.meshorch.sandbox.kube;

import static io.meshorch.sandbox.kube.KubeFixture.KS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each component the sandbox plays becomes ready only when RBAC grants it what it watches and the
 * CRDs it waits for exist ({@link ComponentRights}); the official Cilium chart and MetalLB
 * manifests grant exactly that.
 */
class ComponentRbacIT {
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
    c = KubeFixture.up(kube, dir, "rbac-" + n, "127.24." + n + ".1").client();
  }

  private int ready(String ns, String kind, String name) {
    if (kind.equals("DaemonSet")) {
      DaemonSet ds = c.apps().daemonSets().inNamespace(ns).withName(name).get();
      return ds.getStatus() == null || ds.getStatus().getNumberReady() == null
          ? 0
          : ds.getStatus().getNumberReady();
    }
    Deployment d = c.apps().deployments().inNamespace(ns).withName(name).get();
    return d.getStatus() == null || d.getStatus().getAvailableReplicas() == null
        ? 0
        : d.getStatus().getAvailableReplicas();
  }

  /** The status of the first container of every pod labelled {@code label=value}. */
  private List<ContainerStatus> containers(String ns, String label, String value) {
    return c.pods().inNamespace(ns).withLabel(label, value).list().getItems().stream()
        .map(Pod::getStatus)
        .map(
            s ->
                s == null || s.getContainerStatuses() == null || s.getContainerStatuses().isEmpty()
                    ? null
                    : s.getContainerStatuses().get(0))
        .toList();
  }

  private void crashesWith(String ns, String label, String value, String container, String log) {
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(containers(ns, label, value))
                    .isNotEmpty()
                    .allSatisfy(
                        s -> {
                          assertThat(s).isNotNull();
                          assertThat(s.getName()).isEqualTo(container);
                          assertThat(s.getReady()).isFalse();
                          assertThat(s.getState().getWaiting().getReason())
                              .isEqualTo("CrashLoopBackOff");
                          assertThat(s.getLastState().getTerminated().getMessage()).isEqualTo(log);
                        }));
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
  void theOfficialChartAndManifestsStartEveryComponent() {
    KubeFixture.installExcept(c, cilium());
    KubeFixture.installExcept(c, metallb());

    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              assertThat(ready(KS, "DaemonSet", "cilium")).isEqualTo(2);
              assertThat(ready(KS, "Deployment", "cilium-operator")).isEqualTo(2);
              assertThat(ready(KS, "Deployment", "clustermesh-apiserver")).isEqualTo(1);
            });
    // The speaker mounts the memberlist secret its controller creates once it runs.
    await()
        .atMost(WAIT)
        .until(
            () ->
                ready("metallb-system", "Deployment", "controller") == 1
                    && ready("metallb-system", "DaemonSet", "speaker") == 2);
    assertThat(
            c.secrets()
                .inNamespace("metallb-system")
                .withName("memberlist")
                .get()
                .getMetadata()
                .getOwnerReferences())
        .extracting(o -> o.getKind() + "/" + o.getName())
        .containsExactly("Deployment/controller");
  }

  @Test
  void anAgentWithoutItsClusterRoleBindingCrashesWithTheApiServersForbidden() {
    KubeFixture.installExcept(c, cilium(), "ClusterRoleBinding/cilium");

    crashesWith(
        KS,
        "k8s-app",
        "cilium",
        "cilium-agent",
        "failed to list namespaces: namespaces is forbidden: User"
            + " \"system:serviceaccount:kube-system:cilium\" cannot list resource \"namespaces\""
            + " in API group \"\" at the cluster scope");
    assertThat(ready(KS, "DaemonSet", "cilium")).isZero();
    // The operator and the mesh apiserver have their own bindings.
    await().atMost(WAIT).until(() -> ready(KS, "Deployment", "clustermesh-apiserver") == 1);

    c.resource(KubeFixture.object(cilium(), "ClusterRoleBinding/cilium")).create();

    await().atMost(WAIT).until(() -> ready(KS, "DaemonSet", "cilium") == 2);
  }

  @Test
  void theSpeakerWithoutItsRoleBindingIsForbiddenInItsNamespace() {
    KubeFixture.installExcept(c, metallb(), "RoleBinding/pod-lister");

    crashesWith(
        "metallb-system",
        "component",
        "speaker",
        "speaker",
        "pods is forbidden: User \"system:serviceaccount:metallb-system:speaker\" cannot get"
            + " resource \"pods\" in API group \"\" in the namespace \"metallb-system\"");
    await().atMost(WAIT).until(() -> ready("metallb-system", "Deployment", "controller") == 1);
    assertThat(ready("metallb-system", "DaemonSet", "speaker")).isZero();

    c.resource(KubeFixture.object(metallb(), "RoleBinding/pod-lister")).create();

    await().atMost(WAIT).until(() -> ready("metallb-system", "DaemonSet", "speaker") == 2);
  }

  @Test
  void agentsWaitForTheCrdsTheOperatorRegisters() {
    KubeFixture.installExcept(c, cilium(), "Deployment/cilium-operator");

    crashesWith(
        KS,
        "k8s-app",
        "cilium",
        "cilium-agent",
        "Unable to find all Cilium CRDs necessary within 5m0s timeout. Please ensure that Cilium"
            + " Operator is running, as it's responsible for registering all the Cilium CRDs. The"
            + " following CRDs were not found: [crd:ciliumnodes.cilium.io"
            + " crd:ciliumidentities.cilium.io crd:ciliumendpoints.cilium.io"
            + " crd:ciliumnetworkpolicies.cilium.io crd:ciliumclusterwidenetworkpolicies.cilium.io]");
    assertThat(ready(KS, "Deployment", "clustermesh-apiserver")).isZero();

    c.resource(KubeFixture.object(cilium(), "Deployment/cilium-operator")).create();

    await()
        .atMost(WAIT)
        .until(
            () ->
                ready(KS, "DaemonSet", "cilium") == 2
                    && ready(KS, "Deployment", "clustermesh-apiserver") == 1);
    assertThat(
            c.apiextensions()
                .v1()
                .customResourceDefinitions()
                .withName("ciliumnodes.cilium.io")
                .get())
        .isNotNull();
  }
}
