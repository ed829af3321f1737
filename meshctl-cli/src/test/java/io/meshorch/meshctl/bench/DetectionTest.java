package io.meshorch.meshctl.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshorch.contracts.CiliumReady;
import io.meshorch.contracts.ClusterSpec;
import io.meshorch.contracts.ClusterUp;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.LbIpAssigned;
import io.meshorch.contracts.MeshEvent;
import io.meshorch.contracts.MeshReady;
import io.meshorch.contracts.NodeInfo;
import io.meshorch.contracts.PortsUpdated;
import io.meshorch.contracts.ProgressReported;
import io.meshorch.contracts.VmsReady;
import io.meshorch.sandbox.core.ClusterRef;
import io.meshorch.sandbox.core.SandboxStep;
import io.meshorch.sandbox.core.StepRecord;
import io.meshorch.testkit.Samples;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DetectionTest {
  private static final Instant T0 = Instant.parse("2026-11-29T12:00:00Z");
  private static final ClusterSpec EAST = Samples.cluster("east", 1, 1);
  private static final List<NodeInfo> NODES = Samples.nodes("m", EAST);
  private static final String SERVER = NODES.get(0).name();

  private final List<BusRecord> bus = new ArrayList<>();
  private final List<StepRecord> steps = new ArrayList<>();

  private static Instant at(long millis) {
    return T0.plusMillis(millis);
  }

  private void event(long millis, String producer, String cluster, MeshEvent payload) {
    EventEnvelope e = EventEnvelope.create("m", cluster, null, producer, payload);
    bus.add(new BusRecord("t", 0, bus.size(), at(millis), e));
  }

  private void step(long millis, SandboxStep step, String cluster, String object) {
    steps.add(new StepRecord(step, new ClusterRef("m", cluster), object, at(millis)));
  }

  private List<Long> latencies(SandboxStep step) {
    return Detection.pair(bus, steps).stream()
        .filter(s -> s.step() == step)
        .map(s -> s.latency().toMillis())
        .toList();
  }

  @Test
  void pairsEachPerClusterStepWithTheEventThatReportsIt() {
    step(1_000, SandboxStep.VM_BOOT, "east", SERVER);
    step(3_000, SandboxStep.HEAT_STACK, "east", "mesh-m-east");
    event(3_150, "infra-service", "east", new VmsReady(EAST, "stack", NODES));
    step(3_600, SandboxStep.SSH_READY, "east", SERVER);
    event(
        3_900,
        "rke-service",
        "east",
        new ProgressReported("kubernetes", "node " + SERVER + " ready (docker 24.0.9)"));
    step(13_000, SandboxStep.RKE_UP, "east", "cluster east");
    event(13_400, "rke-service", "east", new ClusterUp(EAST, NODES, "http://api", "ref"));
    step(14_800, SandboxStep.CILIUM_ROLLOUT, "east", "Deployment kube-system/cilium-operator");
    step(15_000, SandboxStep.CILIUM_ROLLOUT, "east", "DaemonSet kube-system/cilium");
    event(15_100, "cni-service", "east", new CiliumReady(EAST, NODES, "ref", "1.18.2"));
    step(16_000, SandboxStep.LB_IP, "east", "Service kube-system/clustermesh-apiserver");
    event(16_030, "lb-service", "east", new LbIpAssigned(EAST, NODES, "ref", "10.0.0.1", 2379));

    assertThat(latencies(SandboxStep.HEAT_STACK)).containsExactly(150L);
    assertThat(latencies(SandboxStep.SSH_READY)).containsExactly(300L);
    assertThat(latencies(SandboxStep.RKE_UP)).containsExactly(400L);
    assertThat(latencies(SandboxStep.CILIUM_ROLLOUT))
        .as("from the last rollout")
        .containsExactly(100L);
    assertThat(latencies(SandboxStep.LB_IP)).containsExactly(30L);
    assertThat(latencies(SandboxStep.VM_BOOT)).as("the stack finished after the boot").isEmpty();
  }

  @Test
  void aNodeReadyBeforeItsVmsReadyIsDetectedFromTheVmsReady() {
    step(1_500, SandboxStep.SSH_READY, "east", SERVER);
    step(3_000, SandboxStep.HEAT_STACK, "east", "mesh-m-east");
    event(3_200, "infra-service", "east", new VmsReady(EAST, "stack", NODES));
    event(
        3_700,
        "rke-service",
        "east",
        new ProgressReported("kubernetes", "node " + SERVER + " ready (docker 24.0.9)"));

    assertThat(latencies(SandboxStep.SSH_READY)).containsExactly(500L);
  }

  @Test
  void meshReadyCountsFromTheLastConnectionAfterEveryClusterUpdatedItsPorts() {
    step(500, SandboxStep.CILIUM_ROLLOUT, "east", "DaemonSet kube-system/cilium");
    event(
        1_000,
        "infra-service",
        "east",
        new PortsUpdated(EAST, NODES, "ref", "10.0.0.1", 2379, List.of("p")));
    step(2_800, SandboxStep.CILIUM_ROLLOUT, "east", "DaemonSet kube-system/cilium");
    step(3_400, SandboxStep.MESH_CONNECT, "east", "remote west");
    step(3_500, SandboxStep.MESH_CONNECT, "west", "remote east");
    event(3_900, "mesh-service", null, new MeshReady(List.of()));

    assertThat(Detection.pair(bus, steps))
        .filteredOn(s -> s.event().equals("MeshReady"))
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.step()).isEqualTo(SandboxStep.MESH_CONNECT);
              assertThat(s.latency()).isEqualTo(Duration.ofMillis(400));
              assertThat(s.cluster()).isNull();
            });
  }

  @Test
  void anEventWithoutAStepBeforeItGivesNoPair() {
    // a one-cluster mesh connects nothing: no record after its PortsUpdated
    step(500, SandboxStep.LB_IP, "east", "Service kube-system/clustermesh-apiserver");
    event(
        1_000,
        "infra-service",
        "east",
        new PortsUpdated(EAST, NODES, "ref", "10.0.0.1", 2379, List.of("p")));
    event(1_200, "mesh-service", null, new MeshReady(List.of()));
    // a step that finished after the event does not explain it
    event(2_000, "rke-service", "east", new ClusterUp(EAST, NODES, "http://api", "ref"));
    step(2_500, SandboxStep.RKE_UP, "east", "cluster east");

    assertThat(Detection.pair(bus, steps)).isEmpty();
  }

  @Test
  void aStepFinishedWithinTheEventsMillisecondCountsAsZero() {
    steps.add(
        new StepRecord(
            SandboxStep.HEAT_STACK,
            new ClusterRef("m", "east"),
            "mesh-m-east",
            at(3_000).plusNanos(400_000)));
    event(3_000, "infra-service", "east", new VmsReady(EAST, "stack", NODES));

    assertThat(latencies(SandboxStep.HEAT_STACK)).containsExactly(0L);
  }
}
