package io.meshorch.sandbox.kube;

import static io.meshorch.sandbox.kube.KubeFixture.KS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.HostAliasBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatus;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.meshorch.sandbox.core.SandboxLatencies;
import io.meshorch.sandbox.core.SandboxRecorder;
import io.meshorch.sandbox.core.SandboxStep;
import io.meshorch.sandbox.core.SideEffect;
import io.meshorch.sandbox.core.StepRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Rollouts, LoadBalancer addresses and mesh connections at a latency, the step log and the
 * counters. The periodic pass is set to a minute: every transition here comes from a write or its
 * scheduled due time.
 */
class ControllerLatencyIT {
  private static final Duration NO_TICK = Duration.ofMinutes(1);
  private static final JsonMapper JSON = JsonMapper.builder().build();

  @TempDir Path dir;
  private final SandboxRecorder recorder = new SandboxRecorder();
  private SandboxKube kube;

  private void start(String latencies) {
    kube =
        SandboxKube.builder()
            .controllerInterval(NO_TICK)
            .latencies(SandboxLatencies.parse(latencies))
            .recorder(recorder)
            .build()
            .start();
  }

  @AfterEach
  void stop() {
    if (kube != null) {
      kube.close();
    }
  }

  private StepRecord record(SandboxStep step, String object) {
    return await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                recorder.steps().records(step).stream()
                    .filter(r -> r.object().equals(object))
                    .findFirst()
                    .orElse(null),
            r -> r != null);
  }

  @Test
  void ciliumIsReadyOnlyAfterItsRolloutAndAWatchSeesEachStatus() throws Exception {
    start("fast,cilium-rollout=1500ms");
    KubernetesClient c = KubeFixture.up(kube, dir, "east", "127.22.0.1").client();
    List<DaemonSetStatus> seen = new CopyOnWriteArrayList<>();
    Instant installed = Instant.now();
    Watch watch = c.apps().daemonSets().inNamespace(KS).withName("cilium").watch(collect(seen));
    try {
      KubeFixture.installCilium(c, "east", "ca-1");

      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> seen.stream().anyMatch(s -> Integer.valueOf(2).equals(s.getNumberReady())));
    } finally {
      watch.close();
    }

    assertThat(seen.get(0).getDesiredNumberScheduled()).isEqualTo(2);
    assertThat(seen.get(0).getNumberReady()).isZero();
    StepRecord done = record(SandboxStep.CILIUM_ROLLOUT, "DaemonSet kube-system/cilium");
    assertThat(Duration.between(installed, done.finishedAt()))
        .isGreaterThanOrEqualTo(Duration.ofMillis(1500));
    assertThat(done.clusterName()).isEqualTo("east");
    // The kubelet turns the nodes Ready in the pass that wrote the ready status, just after it.
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () ->
                assertThat(c.nodes().list().getItems())
                    .allSatisfy(
                        n ->
                            assertThat(n.getStatus().getConditions().get(0).getStatus())
                                .isEqualTo("True")));
  }

  @Test
  void aTemplateChangeKeepsTheOldAgentsServingUntilTheNewOnesAreReady() throws Exception {
    start("fast,cilium-rollout=1s");
    KubernetesClient c = KubeFixture.up(kube, dir, "east", "127.22.1.1").client();
    KubeFixture.installCilium(c, "east", "ca-1");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> Integer.valueOf(2).equals(cilium(c).getStatus().getNumberReady()));
    List<String> before = agentNames(c);

    Instant changed = Instant.now();
    addHostAlias(c, "192.168.51.10");

    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> Integer.valueOf(0).equals(cilium(c).getStatus().getUpdatedNumberScheduled()));
    assertThat(cilium(c).getStatus().getNumberReady()).isEqualTo(2);
    assertThat(agentNames(c)).containsExactlyInAnyOrderElementsOf(before);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> Integer.valueOf(2).equals(cilium(c).getStatus().getUpdatedNumberScheduled()));
    assertThat(agentNames(c)).hasSize(2).doesNotContainAnyElementsOf(before);
    List<StepRecord> rollouts = recorder.steps().records(SandboxStep.CILIUM_ROLLOUT);
    assertThat(Duration.between(changed, rollouts.get(rollouts.size() - 1).finishedAt()))
        .isGreaterThanOrEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void metalLbAndOtherWorkloadsTakeTheirOwnRolloutLatency() throws Exception {
    start("fast,metallb-rollout=1200ms,rollout=300ms");
    KubernetesClient c = KubeFixture.up(kube, dir, "east", "127.22.2.1").client();

    Instant created = Instant.now();
    KubeFixture.deployment(c, "default", "web", "app", "web");
    KubeFixture.installMetalLb(c, "192.168.50.10-192.168.50.12", true);

    StepRecord web = record(SandboxStep.ROLLOUT, "Deployment default/web");
    StepRecord metalLb =
        record(SandboxStep.METALLB_ROLLOUT, "Deployment metallb-system/controller");
    assertThat(Duration.between(created, web.finishedAt()))
        .isGreaterThanOrEqualTo(Duration.ofMillis(300));
    assertThat(Duration.between(created, metalLb.finishedAt()))
        .isGreaterThanOrEqualTo(Duration.ofMillis(1200));
    Deployment controller =
        c.apps().deployments().inNamespace("metallb-system").withName("controller").get();
    assertThat(controller.getStatus().getAvailableReplicas()).isEqualTo(1);
  }

  @Test
  void aServiceGetsItsAddressLbIpAfterItBecameAssignable() throws Exception {
    start("fast,lb-ip=1s");
    KubernetesClient c = KubeFixture.up(kube, dir, "east", "127.22.3.1").client();
    KubeFixture.installMetalLb(c, "192.168.50.10-192.168.50.12", true);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                c.apps()
                        .deployments()
                        .inNamespace("metallb-system")
                        .withName("controller")
                        .get()
                        .getStatus()
                    != null);

    Instant created = Instant.now();
    c.services().resource(KubeFixture.meshService(null)).create();

    assertThat(KubeFixture.awaitIngressIp(c, "clustermesh-apiserver")).isEqualTo("192.168.50.10");
    StepRecord assigned = record(SandboxStep.LB_IP, "Service kube-system/clustermesh-apiserver");
    assertThat(Duration.between(created, assigned.finishedAt()))
        .isGreaterThanOrEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void aRemoteIsReadyOnlyMeshConnectAfterItsConfigurationAndOnlyTheTargetClusterIsSlow()
      throws Exception {
    start("fast,mesh-connect=300ms,mesh-connect@a=3s");
    KubernetesClient a = KubeFixture.up(kube, dir, "a", "127.22.4.1").client();
    KubernetesClient b = KubeFixture.up(kube, dir, "b", "127.22.5.1").client();
    KubeFixture.installCilium(a, "a", "ca-1");
    KubeFixture.installCilium(b, "b", "ca-1");
    KubeFixture.installMetalLb(a, "192.168.52.10-192.168.52.12", true);
    KubeFixture.installMetalLb(b, "192.168.53.10-192.168.53.12", true);
    String aIp = KubeFixture.awaitIngressIp(a, "clustermesh-apiserver");
    String bIp = KubeFixture.awaitIngressIp(b, "clustermesh-apiserver");

    Instant connected = Instant.now();
    KubeFixture.connect(a, "b", bIp, true);
    KubeFixture.connect(b, "a", aIp, true);
    JsonNode early = remote(a);

    assertThat(early.get("ready").asBoolean()).isFalse();
    assertThat(early.get("status").asString()).isEqualTo("synchronizing");
    StepRecord bSeesA = record(SandboxStep.MESH_CONNECT, "remote a");
    StepRecord aSeesB = record(SandboxStep.MESH_CONNECT, "remote b");
    assertThat(aSeesB.clusterName()).isEqualTo("a");
    assertThat(Duration.between(connected, aSeesB.finishedAt()))
        .isGreaterThanOrEqualTo(Duration.ofSeconds(3));
    assertThat(bSeesA.finishedAt()).isBefore(aSeesB.finishedAt());
    await().atMost(Duration.ofSeconds(10)).until(() -> remote(a).get("ready").asBoolean());
  }

  @Test
  void installsAndMeshWritesCountOnceAndAnIdempotentRepeatDoesNotCount() throws Exception {
    start("fast");
    SandboxCluster east = KubeFixture.up(kube, dir, "east", "127.22.6.1");
    KubernetesClient c = east.client();
    KubeFixture.installCilium(c, "east", "ca-1");
    KubeFixture.installMetalLb(c, "192.168.50.10-192.168.50.12", true);
    writeMeshSecret(c, "b", "endpoints: [https://b.mesh.cilium.io:2379]");

    reapply(c, cilium(c));
    reapply(c, c.apps().deployments().inNamespace("metallb-system").withName("controller").get());
    writeMeshSecret(c, "b", "endpoints: [https://b.mesh.cilium.io:2379]");
    long meshWritesAfterRepeat =
        kube.counters().count(SideEffect.MESH_CONNECTION_WRITTEN, east.ref());
    writeMeshSecret(c, "c", "endpoints: [https://c.mesh.cilium.io:2379]");

    assertThat(kube.counters().count(SideEffect.CILIUM_INSTALLED, east.ref())).isEqualTo(1);
    assertThat(kube.counters().count(SideEffect.METALLB_INSTALLED, east.ref())).isEqualTo(1);
    assertThat(meshWritesAfterRepeat).isEqualTo(1);
    assertThat(kube.counters().count(SideEffect.MESH_CONNECTION_WRITTEN, "east")).isEqualTo(2);
    assertThat(kube.counters().total(SideEffect.RKE_CLUSTER_STARTED)).isEqualTo(1);
  }

  private static Watcher<DaemonSet> collect(List<DaemonSetStatus> seen) {
    return new Watcher<>() {
      @Override
      public void eventReceived(Action action, DaemonSet ds) {
        if (ds.getStatus() != null) {
          seen.add(ds.getStatus());
        }
      }

      @Override
      public void onClose(WatcherException cause) {}
    };
  }

  private static DaemonSet cilium(KubernetesClient c) {
    return c.apps().daemonSets().inNamespace(KS).withName("cilium").get();
  }

  private static List<String> agentNames(KubernetesClient c) {
    return c.pods().inNamespace(KS).withLabel("k8s-app", "cilium").list().getItems().stream()
        .map(Pod::getMetadata)
        .map(m -> m.getName())
        .toList();
  }

  private static void addHostAlias(KubernetesClient c, String ip) {
    c.apps()
        .daemonSets()
        .inNamespace(KS)
        .withName("cilium")
        .edit(
            ds -> {
              ds.getSpec()
                  .getTemplate()
                  .getSpec()
                  .setHostAliases(
                      List.of(
                          new HostAliasBuilder()
                              .withIp(ip)
                              .withHostnames("b.mesh.cilium.io")
                              .build()));
              return ds;
            });
  }

  /** What a service's create-or-update does when the object already exists as wanted. */
  private static <T extends io.fabric8.kubernetes.api.model.HasMetadata> void reapply(
      KubernetesClient c, T current) {
    current.getMetadata().setResourceVersion(null);
    current.getMetadata().setManagedFields(null);
    c.resource(current).patch(PatchContext.of(PatchType.JSON_MERGE));
  }

  private static void writeMeshSecret(KubernetesClient c, String remote, String etcd) {
    c.secrets()
        .inNamespace(KS)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("cilium-clustermesh")
                .endMetadata()
                .withData(Map.of(remote, KubeFixture.b64(etcd)))
                .build())
        .createOr(io.fabric8.kubernetes.client.dsl.NonDeletingOperation::update);
  }

  private static JsonNode remote(KubernetesClient c) throws Exception {
    KubeFixture.Exec exec = KubeFixture.exec(c, "cilium-dbg", "status", "-o", "json");
    assertThat(exec.exitCode()).isZero();
    JsonNode clusters = JSON.readTree(exec.stdout()).at("/cluster-mesh/clusters");
    assertThat(clusters.size()).isEqualTo(1);
    return clusters.get(0);
  }
}
