package io.meshorch.meshctl.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshorch.sandbox.core.ClusterRef;
import io.meshorch.sandbox.core.SandboxLatencies;
import io.meshorch.sandbox.core.SandboxStep;
import io.meshorch.sandbox.core.StepRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CriticalPathTest {
  private static final Instant T0 = Instant.parse("2026-11-29T12:00:00Z");

  /** The step log of one cluster that went through every per-cluster step once. */
  private static List<StepRecord> clusterSteps(String mesh, String cluster) {
    ClusterRef ref = new ClusterRef(mesh, cluster);
    List<StepRecord> out = new ArrayList<>();
    out.add(
        new StepRecord(SandboxStep.VM_BOOT, ref, "mesh-" + mesh + "-" + cluster + "-node-0", T0));
    out.add(new StepRecord(SandboxStep.HEAT_STACK, ref, "mesh-" + mesh + "-" + cluster, T0));
    out.add(
        new StepRecord(SandboxStep.SSH_READY, ref, "mesh-" + mesh + "-" + cluster + "-node-0", T0));
    out.add(new StepRecord(SandboxStep.RKE_UP, ref, "cluster " + cluster, T0));
    out.add(new StepRecord(SandboxStep.CILIUM_ROLLOUT, ref, "DaemonSet kube-system/cilium", T0));
    out.add(
        new StepRecord(
            SandboxStep.CILIUM_ROLLOUT, ref, "Deployment kube-system/cilium-operator", T0));
    out.add(
        new StepRecord(
            SandboxStep.METALLB_ROLLOUT, ref, "Deployment metallb-system/controller", T0));
    out.add(
        new StepRecord(SandboxStep.LB_IP, ref, "Service kube-system/clustermesh-apiserver", T0));
    return out;
  }

  /** What the mesh step adds for a cluster: its agents rolled out again, then connected. */
  private static List<StepRecord> connectSteps(String mesh, String cluster, String remote) {
    ClusterRef ref = new ClusterRef(mesh, cluster);
    return List.of(
        new StepRecord(SandboxStep.CILIUM_ROLLOUT, ref, "DaemonSet kube-system/cilium", T0),
        new StepRecord(SandboxStep.MESH_CONNECT, ref, "remote " + remote, T0));
  }

  @Test
  void aTwoClusterMeshAtRealisticPaceTakesTheFifteenMinutesTheSandboxDocuments() {
    List<StepRecord> log = new ArrayList<>(clusterSteps("m", "east"));
    log.addAll(clusterSteps("m", "west"));
    log.addAll(connectSteps("m", "east", "west"));
    log.addAll(connectSteps("m", "west", "east"));

    CriticalPath.Result cp =
        CriticalPath.of(SandboxLatencies.realistic(), "m", List.of("east", "west"), log);

    // sandbox-core README: 180 + 480 + 90 + 40 + 3 + 90 + 30 s
    assertThat(cp.total()).isEqualTo(Duration.ofSeconds(913));
    assertThat(cp.clusters()).isEqualTo(Duration.ofSeconds(793));
    assertThat(cp.meshStep()).isEqualTo(Duration.ofSeconds(120));
  }

  @Test
  void aClustermeshApiserverRolledOutAgainForTheMeshIsOnThePathAsTheAgentsWere() {
    SandboxLatencies latencies = SandboxLatencies.parse("realistic,scale=0.02");
    List<StepRecord> log = new ArrayList<>();
    for (String cluster : List.of("east", "west")) {
      ClusterRef ref = new ClusterRef("m", cluster);
      log.addAll(clusterSteps("m", cluster));
      log.add(
          new StepRecord(
              SandboxStep.CILIUM_ROLLOUT, ref, "Deployment kube-system/clustermesh-apiserver", T0));
      // KVStoreMesh: the mesh configuration's host aliases restart the clustermesh-apiserver
      log.add(
          new StepRecord(
              SandboxStep.CILIUM_ROLLOUT, ref, "Deployment kube-system/clustermesh-apiserver", T0));
      log.add(new StepRecord(SandboxStep.MESH_CONNECT, ref, "remote other", T0));
    }

    CriticalPath.Result cp = CriticalPath.of(latencies, "m", List.of("east", "west"), log);

    // cilium-rollout + mesh-connect at x0.02: 1.8 + 0.6 s
    assertThat(cp.meshStep()).isEqualTo(Duration.ofMillis(2_400));
    assertThat(cp.total()).isEqualTo(Duration.ofMillis(15_860 + 2_400));
  }

  @Test
  void aOneClusterMeshConnectsNothingSoItsPathEndsWithTheLoadBalancerIp() {
    CriticalPath.Result cp =
        CriticalPath.of(
            SandboxLatencies.parse("realistic,scale=0.02"),
            "solo",
            List.of("c01"),
            clusterSteps("solo", "c01"));

    // max(3, 1.2 + 2.4) + 9.6 + 1.8 + 0.8 + 0.06
    assertThat(cp.total()).isEqualTo(Duration.ofMillis(15_860));
    assertThat(cp.meshStep()).isZero();
  }

  @Test
  void aClusterTargetedByASlowerLatencyIsTheSlowestAndSetsThePath() {
    SandboxLatencies latencies = SandboxLatencies.parse("realistic,scale=0.02,rke-up@m/c02=x10");
    List<StepRecord> log = new ArrayList<>(clusterSteps("m", "c01"));
    log.addAll(clusterSteps("m", "c02"));

    CriticalPath.Result cp = CriticalPath.of(latencies, "m", List.of("c01", "c02"), log);

    assertThat(cp.slowestCluster()).isEqualTo("c02");
    assertThat(cp.total()).isEqualTo(Duration.ofMillis(15_860 + 9 * 9_600));
  }

  @Test
  void stepsAbsentFromTheLogAddNothingAndEveryReRunOfRkeUpAddsItsLatency() {
    SandboxLatencies latencies = SandboxLatencies.parse("realistic,scale=0.02");
    ClusterRef ref = new ClusterRef("m", "c01");
    List<StepRecord> log = new ArrayList<>(clusterSteps("m", "c01"));
    log.add(new StepRecord(SandboxStep.RKE_UP_AGAIN, ref, "cluster c01", T0));
    log.add(new StepRecord(SandboxStep.RKE_UP_AGAIN, ref, "cluster c01", T0));
    // another mesh's steps with the same cluster name do not count
    log.addAll(connectSteps("other", "c01", "c02"));

    CriticalPath.Result cp = CriticalPath.of(latencies, "m", List.of("c01"), log);

    assertThat(cp.total()).isEqualTo(Duration.ofMillis(15_860 + 2 * 2_400));
    assertThat(CriticalPath.of(latencies, "m", List.of("c01"), List.of()).total())
        .as("nothing logged: only the VM part, which always happens")
        .isEqualTo(Duration.ofMillis(3_600));
  }
}
