package io.meshorch.infra.application;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshorch.contracts.ClusterDeleted;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.MeshDeleteRequested;
import io.meshorch.contracts.Stage;
import io.meshorch.infra.domain.MeshFootprint;
import io.meshorch.kit.step.Next;
import io.meshorch.kit.step.Plan;
import io.meshorch.kit.step.StepKey;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class MeshDeleteRequestedStepsTest {
  private static final Instant T0 = Instant.parse("2026-11-30T01:00:00Z");
  private final FakeCloud cloud = new FakeCloud();
  private final MeshFootprint footprint = new MeshFootprint();
  private final MeshDeleteRequestedSteps steps =
      new MeshDeleteRequestedSteps(footprint, cloud, cloud, Duration.ofMinutes(5));

  MeshDeleteRequestedStepsTest() {
    footprint.built("m1", "east", T0);
    footprint.built("m1", "west", T0);
    footprint.built("m1", "north", T0);
  }

  @Test
  void aWholeMeshDeleteStartsOneStepPerLiveCluster() {
    EventEnvelope event =
        EventEnvelope.create("m1", null, null, "meshctl", new MeshDeleteRequested());

    Plan plan = steps.plan(event);

    assertThat(((Plan.Steps) plan).steps())
        .extracting(Plan.Planned::key)
        .containsExactly(
            new StepKey(event.eventId(), "east"),
            new StepKey(event.eventId(), "north"),
            new StepKey(event.eventId(), "west"));
  }

  @Test
  void aPruneDeletesOnlyTheNamedClustersAndAnswersOneNotBuiltHereWithNothingDeleted() {
    footprint.deleted("m1", "north", T0.plusSeconds(5));
    EventEnvelope event =
        EventEnvelope.create(
            "m1", null, null, "meshctl", new MeshDeleteRequested(List.of("west", "north")));

    List<Plan.Planned> planned = ((Plan.Steps) steps.plan(event)).steps();

    assertThat(planned)
        .extracting(Plan.Planned::key)
        .containsExactly(
            new StepKey(event.eventId(), "west"), new StepKey(event.eventId(), "north"));
    assertThat(planned.get(0).step().get()).isInstanceOf(DeleteVmsStep.class);
    assertThat(planned.get(1).step().get().advance(null))
        .isEqualTo(Next.done(new ClusterDeleted(Stage.VMS, List.of())));
  }
}
