package io.meshorch.infra.application;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshorch.contracts.ClusterSpec;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.LbIpAssigned;
import io.meshorch.contracts.NodeInfo;
import io.meshorch.contracts.PortsUpdated;
import io.meshorch.infra.domain.AddressPair;
import io.meshorch.kit.step.Plan;
import io.meshorch.kit.step.StepDriver;
import io.meshorch.kit.step.StepDriver.Result;
import io.meshorch.kit.step.StepKey;
import io.meshorch.testkit.Samples;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PortsStepTest {
  private static final String IP = "192.168.51.10";
  private final FakeCloud cloud = new FakeCloud();
  private final LbIpAssignedSteps steps = new LbIpAssignedSteps(cloud, 10);
  private final ClusterSpec spec = Samples.cluster("east", 1, 2);
  private final List<NodeInfo> nodes = Samples.nodes("m1", spec);
  private final EventEnvelope event =
      EventEnvelope.create(
          "m1",
          "east",
          null,
          "lb-service",
          new LbIpAssigned(spec, nodes, "meshes/m1/clusters/east/kubeconfig", IP, 2379));

  @BeforeEach
  void ports() {
    cloud.ports.put(
        "port-east-0", List.of(new AddressPair("10.195.197.192/28", "fa:16:3e:00:00:01")));
    cloud.ports.put("port-east-1", List.of());
  }

  private Result run(PortsStep step) {
    return new StepDriver(event, "ports").run(step, 10);
  }

  private PortsStep freshStep() {
    return steps.step((LbIpAssigned) event.payload());
  }

  private PortsUpdated expected() {
    return new PortsUpdated(
        spec,
        nodes,
        "meshes/m1/clusters/east/kubeconfig",
        IP,
        2379,
        List.of("port-east-0", "port-east-1"));
  }

  @Test
  void plansOneStepForTheClusterOfTheEvent() {
    Plan plan = steps.plan(event);

    assertThat(((Plan.Steps) plan).steps())
        .extracting(Plan.Planned::key)
        .containsExactly(new StepKey(event.eventId(), "east"));
    assertThat(cloud.pairWrites).hasValue(0);
  }

  @Test
  void allowsTheMeshEndpointOnEveryPortKeepingExistingPairs() {
    Result result = run(freshStep());

    assertThat(result).isEqualTo(new Result.Done(expected()));
    assertThat(cloud.ports.get("port-east-0"))
        .containsExactly(
            new AddressPair("10.195.197.192/28", "fa:16:3e:00:00:01"), AddressPair.of(IP));
    assertThat(cloud.ports.get("port-east-1")).containsExactly(AddressPair.of(IP));
  }

  @Test
  void replayOfACompletedStepWritesNoPortAgainAndEndsTheSame() {
    Result first = run(freshStep());

    Result replayed = run(freshStep());

    assertThat(cloud.writesOf("port-east-0")).isEqualTo(1);
    assertThat(cloud.writesOf("port-east-1")).isEqualTo(1);
    assertThat(replayed).isEqualTo(first);
    assertThat(cloud.ports.get("port-east-1")).containsExactly(AddressPair.of(IP));
  }

  @ParameterizedTest(name = "a port with pair {0} already allows the IP and is left alone")
  @ValueSource(strings = {IP, IP + "/32", "192.168.51.0/24"})
  void leavesAPortThatAlreadyAllowsTheIpAlone(String allowed) {
    cloud.ports.put("port-east-0", List.of(AddressPair.of(allowed)));

    Result result = run(freshStep());

    assertThat(result).isEqualTo(new Result.Done(expected()));
    assertThat(cloud.writesOf("port-east-0")).isZero();
    assertThat(cloud.ports.get("port-east-0")).containsExactly(AddressPair.of(allowed));
    assertThat(cloud.writesOf("port-east-1")).isEqualTo(1);
  }

  @Test
  void aTransientNeutronErrorIsThrownForTheKitToRetryAndTheRetryWritesOnlyWhatIsMissing() {
    cloud.flakyPortWrites.add("port-east-1");
    PortsStep step = freshStep();

    Result first = run(step);
    Result retried = run(step);

    assertThat(first).isInstanceOf(Result.Failed.class);
    assertThat(((Result.Failed) first).failure().retryable()).isTrue();
    assertThat(retried).isEqualTo(new Result.Done(expected()));
    assertThat(cloud.writesOf("port-east-0")).isEqualTo(1);
    assertThat(cloud.writesOf("port-east-1")).isEqualTo(1);
  }

  @Test
  void failsTerminallyNamingThePortWhenItsPairsAreFull() {
    List<AddressPair> full = new ArrayList<>();
    for (int i = 1; i <= 10; i++) {
      full.add(AddressPair.of("10.9.0." + i));
    }
    cloud.ports.put("port-east-1", full);

    Result result = run(freshStep());

    assertThat(result).isInstanceOf(Result.Failed.class);
    var failure = ((Result.Failed) result).failure();
    assertThat(failure.code()).isEqualTo("ADDRESS_PAIR_LIMIT");
    assertThat(failure.retryable()).isFalse();
    assertThat(failure.getMessage()).contains("port-east-1", "mesh-m1-east-node-1", IP, "10");
    assertThat(cloud.ports.get("port-east-1")).hasSize(10);
  }
}
