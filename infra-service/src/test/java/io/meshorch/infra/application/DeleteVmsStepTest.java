package io.meshorch.infra.application;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshorch.contracts.ClusterDeleted;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.MeshDeleteRequested;
import io.meshorch.infra.domain.AddressPair;
import io.meshorch.infra.domain.ClusterStack;
import io.meshorch.infra.domain.MeshFootprint;
import io.meshorch.kit.step.StepDriver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DeleteVmsStepTest {
  private static final String STACK = "mesh-m1-east";
  private final FakeCloud cloud = new FakeCloud();
  private final EventEnvelope request =
      EventEnvelope.create("m1", null, null, "meshctl", new MeshDeleteRequested());
  private final Optional<MeshFootprint.AddedPairs> pairs =
      Optional.of(new MeshFootprint.AddedPairs("192.168.50.10", List.of("p0")));

  private DeleteVmsStep step() {
    return new DeleteVmsStep(
        new ClusterStack("m1", "east"), pairs, cloud, cloud, Duration.ofMinutes(30));
  }

  private StepDriver.Result run(StepDriver driver) {
    return driver.run(step(), 10);
  }

  private StepDriver driver() {
    return new StepDriver(
        request, new io.meshorch.kit.step.StepKey(request.eventId(), "east"), "delete");
  }

  private void liveStack(String status) {
    cloud.stacks.put(STACK, new FakeCloud.Stack("id-1", STACK, "", List.of()));
    cloud.readsUntilDone = 0;
    cloud.finalStatus.put(STACK, status);
  }

  private static List<ClusterDeleted.Resource> deleted(StepDriver.Result result) {
    return ((ClusterDeleted) ((StepDriver.Result.Done) result).outcome()).deleted();
  }

  @Test
  void removesOnlyItsOwnPairThenDeletesTheStackAndAReplayChangesNothing() {
    liveStack("CHECK_COMPLETE");
    cloud.ports.put(
        "p0",
        new ArrayList<>(List.of(AddressPair.of("192.168.50.10"), AddressPair.of("10.9.0.0/24"))));

    StepDriver.Result first = run(driver());
    StepDriver.Result replay = run(driver());

    assertThat(deleted(first))
        .containsExactly(
            new ClusterDeleted.Resource("address-pair", "192.168.50.10 on port p0"),
            new ClusterDeleted.Resource("heat-stack", STACK + " (id-1)"));
    assertThat(cloud.ports.get("p0")).containsExactly(AddressPair.of("10.9.0.0/24"));
    assertThat(deleted(replay)).as("nothing left to delete").isEmpty();
    assertThat(cloud.pairWrites).hasValue(1);
    assertThat(cloud.deletes).containsExactly(STACK);
  }

  @Test
  void aStepResumedWhileHeatDeletesReportsTheStackWaitsAndAsksNoSecondDelete() {
    liveStack("DELETE_IN_PROGRESS");
    cloud.ports.put("p0", new ArrayList<>(List.of(AddressPair.of("192.168.50.10"))));
    StepDriver driver = driver().beforeRecheck(() -> cloud.stacks.remove(STACK));

    StepDriver.Result result = run(driver);

    assertThat(deleted(result))
        .containsExactly(new ClusterDeleted.Resource("heat-stack", STACK + " (id-1)"));
    assertThat(cloud.deletes).isEmpty();
    assertThat(cloud.pairWrites)
        .as("the ports of a stack being deleted are left alone")
        .hasValue(0);
    assertThat(driver.calls()).isEqualTo(2);
  }

  @Test
  void aStackThatDoesNotExistIsDeletedAlready() {
    StepDriver.Result result = run(driver());

    assertThat(deleted(result)).isEmpty();
    assertThat(cloud.deletes).isEmpty();
  }

  @Test
  void waitsForTheClustersBuildStepsToStopBeforeLookingAtTheStack() {
    liveStack("CHECK_COMPLETE");
    int[] running = {1};
    StepDriver driver =
        driver().othersRunning(() -> running[0]).beforeRecheck(() -> running[0] = 0);

    run(driver);

    assertThat(driver.cancellations())
        .containsExactly(
            "mesh m1 is being deleted (meshctl down)", "mesh m1 is being deleted (meshctl down)");
    assertThat(cloud.deletes).containsExactly(STACK);
  }
}
