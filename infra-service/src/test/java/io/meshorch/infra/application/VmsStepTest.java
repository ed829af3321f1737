package io.meshorch.infra.application;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshorch.contracts.ClusterSpec;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.KubernetesSpec;
import io.meshorch.contracts.MachineSpec;
import io.meshorch.contracts.MeshRequested;
import io.meshorch.contracts.NodeInfo;
import io.meshorch.contracts.VmsReady;
import io.meshorch.contracts.validation.MeshRequestValidator;
import io.meshorch.kit.step.StepDriver;
import io.meshorch.kit.step.StepDriver.Result;
import io.meshorch.kit.step.StepKey;
import io.meshorch.testkit.MutableClock;
import io.meshorch.testkit.Samples;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class VmsStepTest {
  private static final ClusterSpec EAST = Samples.cluster("east", 1, 2);
  private static final String STACK = "mesh-m1-east";

  private final FakeCloud cloud = new FakeCloud();
  private final MutableClock clock = new MutableClock();
  private final VmsTimings timings = new VmsTimings(Duration.ofMinutes(30), Duration.ofMinutes(10));
  private final EventEnvelope request = request();

  private static EventEnvelope request() {
    return EventEnvelope.create(
        "m1",
        null,
        null,
        "meshctl",
        new MeshRequested(List.of(EAST, Samples.cluster("west", 2, 1))));
  }

  private VmsStep freshStep() {
    return new MeshRequestedSteps(
            new MeshRequestValidator(), cloud, cloud, cloud, NodeSetup.DEFAULT, timings, clock)
        .step("m1", EAST);
  }

  /** A driver as the kit would run the step; each re-check comes 30 s later on the clock. */
  private StepDriver driver(EventEnvelope trigger) {
    return new StepDriver(trigger, new StepKey(trigger.eventId(), "east"), "vms")
        .beforeRecheck(() -> clock.advance(Duration.ofSeconds(30)));
  }

  private Result runToEnd(VmsStep step) {
    return driver(request).run(step, 200);
  }

  private static VmsReady outcome(Result result) {
    assertThat(result).isInstanceOf(Result.Done.class);
    return (VmsReady) ((Result.Done) result).outcome();
  }

  @Test
  void opensTheSecurityGroupToTheSubnetsOfEveryNetworkOfTheMeshAndTheOrchestrator() {
    VmsStep step =
        new MeshRequestedSteps(
                new MeshRequestValidator(),
                cloud,
                cloud,
                cloud,
                new NodeSetup(java.util.Optional.empty(), List.of("10.9.0.0/16")),
                timings,
                clock)
            .step("m1", EAST, List.of("net-b", "mesh-net", "net-b"));

    outcome(driver(request).run(step, 200));

    assertThat(cloud.subnetLookups).containsExactly("mesh-net", "net-b");
    assertThat(cloud.stacks.get(STACK).template)
        .contains("remote_ip_prefix: 192.168.0.0/24", "remote_ip_prefix: 10.9.0.0/16")
        .contains("usermod, -aG, docker, ubuntu");
  }

  @Test
  void anRke2ClusterByTheMeshDefaultGetsNoDockerAndItsVmsReadySaysRke2() {
    KubernetesSpec rke2 = new KubernetesSpec(KubernetesSpec.RKE2, "v1.30.4+rke2r1");
    ClusterSpec effective = MeshRequestedSteps.withMeshKubernetes(EAST, rke2);
    VmsStep step =
        new MeshRequestedSteps(
                new MeshRequestValidator(), cloud, cloud, cloud, NodeSetup.DEFAULT, timings, clock)
            .step("m1", effective);

    VmsReady ready = outcome(driver(request).run(step, 200));

    assertThat(ready.cluster().kubernetes()).isEqualTo(rke2);
    assertThat(cloud.stacks.get(STACK).template)
        .doesNotContain("docker")
        .contains("mount, --make-shared, /sys/fs/bpf");
    assertThat(MeshRequestedSteps.withMeshKubernetes(effective, null)).isSameAs(effective);
    ClusterSpec own =
        MeshRequestedSteps.withMeshKubernetes(effective, new KubernetesSpec("rke1", null));
    assertThat(own.kubernetes()).as("a cluster's own choice wins").isEqualTo(rke2);
  }

  @Test
  void usesTheOperatorsUserDataAndLooksUpNoSubnetForNamedGroups() {
    ClusterSpec named =
        new ClusterSpec(
            EAST.name(),
            EAST.id(),
            EAST.nodeCount(),
            EAST.podCidr(),
            EAST.serviceCidr(),
            EAST.lbAddressPool(),
            new MachineSpec(
                "ubuntu-22.04", "m1.large", "mesh-net", "mesh", "ubuntu", List.of("sg")));
    VmsStep step =
        new MeshRequestedSteps(
                new MeshRequestValidator(),
                cloud,
                cloud,
                cloud,
                new NodeSetup(java.util.Optional.of("#cloud-config\nmine: true\n"), List.of()),
                timings,
                clock)
            .step("m1", named);

    outcome(driver(request).run(step, 200));

    assertThat(cloud.subnetLookups).isEmpty();
    assertThat(cloud.stacks.get(STACK).template)
        .contains("mine: true")
        .doesNotContain("OS::Neutron::SecurityGroup");
  }

  @Test
  void buildsTheStackAndReportsItsNodesWithTheirHostKeys() {
    StepDriver driver = driver(request);

    VmsReady ready = outcome(driver.run(freshStep(), 200));

    assertThat(cloud.stacks.keySet()).containsExactly(STACK);
    assertThat(cloud.stacks.get(STACK).tags).containsExactly("mesh:m1");
    assertThat(ready.stackId()).isEqualTo("id-" + STACK);
    assertThat(ready.cluster()).isEqualTo(EAST);
    assertThat(ready.nodes())
        .containsExactly(
            new NodeInfo(
                "mesh-m1-east-node-0",
                "mesh-m1-east-server-0",
                "mesh-m1-east-port-0",
                "10.0.12.10",
                List.of("SHA256:key-mesh-m1-east-server-0")),
            new NodeInfo(
                "mesh-m1-east-node-1",
                "mesh-m1-east-server-1",
                "mesh-m1-east-port-1",
                "10.0.12.11",
                List.of("SHA256:key-mesh-m1-east-server-1")));
    assertThat(driver.progress())
        .containsExactly(
            "ensuring Heat stack mesh-m1-east with 2 node(s)",
            "stack mesh-m1-east complete, reading SSH host keys of 2 server(s)");
  }

  @ParameterizedTest(name = "a stack in {0} ends the step {1} {2}")
  @CsvSource({
    "CREATE_COMPLETE,      done,      ''",
    "UPDATE_COMPLETE,      done,      ''",
    "CREATE_FAILED,        terminal,  HEAT_STACK_FAILED",
    "DELETE_FAILED,        terminal,  HEAT_STACK_FAILED",
    "NO_OUTPUTS,           terminal,  HEAT_OUTPUT_INVALID",
    "DELETE_IN_PROGRESS,   transient, HEAT_STACK_DELETING",
    "CREATE_IN_PROGRESS,   waiting,   HEAT_STACK_TIMEOUT",
    "ROLLBACK_IN_PROGRESS, waiting,   HEAT_STACK_TIMEOUT",
  })
  void decidesByTheStatusOfTheStack(String status, String end, String code) {
    cloud.finalStatus.put(STACK, status);

    Result result = driver(request).run(freshStep(), 50);

    switch (end) {
      case "done" -> assertThat(outcome(result).nodes()).hasSize(2);
      case "terminal", "transient" -> {
        assertThat(result).isInstanceOf(Result.Failed.class);
        Result.Failed failed = (Result.Failed) result;
        assertThat(failed.failure().code()).isEqualTo(code);
        assertThat(failed.failure().retryable()).isEqualTo(end.equals("transient"));
        assertThat(failed.failure().getMessage()).contains(STACK);
      }
      default -> {
        assertThat(result).isInstanceOf(Result.StillWaiting.class);
        Result.StillWaiting waiting = (Result.StillWaiting) result;
        assertThat(waiting.until().timeoutCode()).isEqualTo(code);
        assertThat(waiting.until().timeout()).isEqualTo(Duration.ofMinutes(30));
        assertThat(waiting.until().setting()).isEqualTo("mesh.vms.stack-timeout");
        assertThat(waiting.status()).contains(STACK, status);
      }
    }
    assertThat(cloud.creates).hasValue(1);
  }

  @Test
  void failsTerminallyWithHeatsReasonWhenTheStackFailed() {
    cloud.finalStatus.put(STACK, "CREATE_FAILED");

    Result result = runToEnd(freshStep());

    assertThat(((Result.Failed) result).failure().getMessage())
        .isEqualTo(
            "stack mesh-m1-east is CREATE_FAILED: Resource CREATE failed: No valid host was found.");
  }

  @Test
  void readsEachConsoleUntilItsHostKeysAppearAndNoLonger() {
    cloud.consoleReadsUntilKeys = 3;

    VmsReady ready = outcome(runToEnd(freshStep()));

    assertThat(ready.nodes()).allSatisfy(n -> assertThat(n.sshHostKeyFingerprints()).hasSize(1));
    assertThat(cloud.consoleReadsOf("mesh-m1-east-server-0")).isEqualTo(4);
    assertThat(cloud.consoleReadsOf("mesh-m1-east-server-1")).isEqualTo(4);
  }

  @Test
  void reportsOnlyTheSilentNodeWithoutHostKeysOnceTheConsoleTimeoutPassed() {
    cloud.silentConsoles.add("mesh-m1-east-server-1");

    VmsReady ready = outcome(runToEnd(freshStep()));

    assertThat(ready.nodes().get(0).sshHostKeyFingerprints())
        .containsExactly("SHA256:key-mesh-m1-east-server-0");
    assertThat(ready.nodes().get(1).sshHostKeyFingerprints()).isEmpty();
    // it kept looking for the whole console timeout (10 min, a look every 30 s) before giving up
    assertThat(cloud.consoleReadsOf("mesh-m1-east-server-1")).isBetween(20, 22);
  }

  @Test
  void waitsForConsolesWithASafetyNetBeyondItsOwnDeadline() {
    cloud.silentConsoles.add("mesh-m1-east-server-1");

    Result result = driver(request).run(freshStep(), 8);

    Result.StillWaiting waiting = (Result.StillWaiting) result;
    assertThat(waiting.until().setting()).isEqualTo("mesh.vms.console-timeout");
    assertThat(waiting.until().timeout()).isGreaterThan(timings.consoleTimeout());
    assertThat(waiting.status()).contains("1 of 2 server(s)", STACK);
  }

  @Test
  void reusesAStackCreatedConcurrentlyByAnotherInstance() {
    cloud.raceOn = STACK;

    VmsReady ready = outcome(runToEnd(freshStep()));

    assertThat(cloud.creates).hasValue(0);
    assertThat(ready.stackId()).isEqualTo("other-" + STACK);
  }

  @Test
  void reusesTheStackOfAnEarlierRequestForTheSameMesh() {
    VmsReady first = outcome(runToEnd(freshStep()));
    EventEnvelope again = request();

    VmsReady second = outcome(driver(again).run(freshStep(), 200));

    assertThat(cloud.creates).hasValue(1);
    assertThat(second).isEqualTo(first);
  }

  @Test
  void replayOfACompletedStepCreatesNoSecondStackAndEndsTheSame() {
    VmsReady first = outcome(runToEnd(freshStep()));

    VmsReady replayed = outcome(runToEnd(freshStep()));

    assertThat(cloud.creates).hasValue(1);
    assertThat(cloud.stacks).hasSize(1);
    assertThat(replayed).isEqualTo(first);
  }

  @Test
  void aStepResumedWhileTheStackIsBuildingWaitsForThatStack() {
    Result interrupted = driver(request).run(freshStep(), 2);
    assertThat(interrupted).isInstanceOf(Result.StillWaiting.class);

    VmsReady ready = outcome(runToEnd(freshStep()));

    assertThat(cloud.creates).hasValue(1);
    assertThat(ready.stackId()).isEqualTo("id-" + STACK);
  }

  @Test
  void aTransientConsoleFailureIsRetriedWithoutLookingAtTheStackAgain() {
    cloud.transientConsoleFailures = 1;
    VmsStep step = freshStep();

    Result first = runToEnd(step);
    int stackReads = cloud.stacks.get(STACK).reads.get();
    Result retried = runToEnd(step);

    assertThat(first).isInstanceOf(Result.Failed.class);
    assertThat(((Result.Failed) first).failure().retryable()).isTrue();
    assertThat(outcome(retried).nodes()).hasSize(2);
    assertThat(cloud.stacks.get(STACK).reads).hasValue(stackReads);
    assertThat(cloud.creates).hasValue(1);
  }

  @Test
  void failsRetryablyWithoutCreatingAgainWhenTheStackDisappearsWhileCreating() {
    cloud.stacksVanish = true;

    Result result = runToEnd(freshStep());

    assertThat(((Result.Failed) result).failure().code()).isEqualTo("HEAT_STACK_MISSING");
    assertThat(((Result.Failed) result).failure().retryable()).isTrue();
    assertThat(cloud.creates).hasValue(1);
  }
}
