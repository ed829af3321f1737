package io.meshorch.infra.application;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshorch.contracts.ClusterFailed;
import io.meshorch.contracts.ClusterSpec;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.EventType;
import io.meshorch.contracts.MeshRejected;
import io.meshorch.contracts.MeshRequested;
import io.meshorch.contracts.ProgressReported;
import io.meshorch.contracts.VmsReady;
import io.meshorch.contracts.validation.MeshRequestValidator;
import io.meshorch.kit.retry.Backoff;
import io.meshorch.kit.step.Plan;
import io.meshorch.kit.step.Recheck;
import io.meshorch.kit.step.StepEngine;
import io.meshorch.kit.step.StepKey;
import io.meshorch.kit.step.StepRoute;
import io.meshorch.kit.step.TriggerRef;
import io.meshorch.testkit.Samples;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class MeshRequestedStepsTest {
  private final FakeCloud cloud = new FakeCloud();

  private MeshRequestedSteps steps(VmsTimings timings) {
    return new MeshRequestedSteps(
        new MeshRequestValidator(),
        cloud,
        cloud,
        cloud,
        NodeSetup.DEFAULT,
        timings,
        Clock.systemUTC());
  }

  private MeshRequestedSteps steps() {
    return steps(new VmsTimings(Duration.ofMinutes(30), Duration.ofMinutes(10)));
  }

  private static EventEnvelope request(String meshId, ClusterSpec... clusters) {
    return EventEnvelope.create(
        meshId, null, null, "meshctl", new MeshRequested(List.of(clusters)));
  }

  @Test
  void rejectsAnInvalidRequestWithEveryViolationAndCreatesNothing() {
    EventEnvelope event =
        request("m1", Samples.cluster("East", 1, 0), Samples.cluster("west", 1, 1));

    Plan plan = steps().plan(event);

    assertThat(plan)
        .isEqualTo(
            Plan.answer(
                new MeshRejected(
                    new MeshRequestValidator().validate("m1", (MeshRequested) event.payload()))));
    assertThat(((MeshRejected) ((Plan.Answer) plan).outcome()).violations())
        .extracting(v -> v.field())
        .contains(
            "clusters[0].name", "clusters[0].nodeCount", "clusters[1].id", "clusters[1].podCidr");
    assertThat(cloud.stacks).isEmpty();
  }

  @Test
  void plansOneStepPerClusterNamedByTheRequestAndTheClusterWithoutCallingTheCloud() {
    EventEnvelope event =
        request("m1", Samples.cluster("east", 1, 2), Samples.cluster("west", 2, 1));

    Plan plan = steps().plan(event);

    assertThat(((Plan.Steps) plan).steps())
        .extracting(Plan.Planned::key)
        .containsExactly(
            new StepKey(event.eventId(), "east"), new StepKey(event.eventId(), "west"));
    assertThat(cloud.stacks).isEmpty();
    assertThat(cloud.creates).hasValue(0);
  }

  @Test
  void plansTheSameStepsWhenAskedAgainForAResumedRequest() {
    EventEnvelope event =
        request("m1", Samples.cluster("east", 1, 2), Samples.cluster("west", 2, 1));

    Plan first = steps().plan(event);
    Plan again = steps().plan(event);

    assertThat(((Plan.Steps) again).steps())
        .extracting(Plan.Planned::key)
        .isEqualTo(((Plan.Steps) first).steps().stream().map(Plan.Planned::key).toList());
  }

  @Test
  void onTheKitsEngineASlowClusterHoldsBackNoOtherAndGivesUpRetryablyNamingTheSetting() {
    cloud.finalStatus.put("mesh-m1-slow", "CREATE_IN_PROGRESS");
    MeshRequestedSteps steps = steps(new VmsTimings(Duration.ofSeconds(2), Duration.ofSeconds(10)));
    EventEnvelope event =
        request("m1", Samples.cluster("slow", 1, 1), Samples.cluster("fast", 2, 1));
    List<EventEnvelope> published = new CopyOnWriteArrayList<>();
    StepEngine engine =
        new StepEngine(
            published::add,
            (topic, e, reason) -> {},
            "infra-service",
            2,
            new Recheck(Duration.ofMillis(10), Duration.ofMillis(50), 1.5),
            new Backoff(3, Duration.ofMillis(10), Duration.ofMillis(20), 2));
    StepRoute route = route(steps);
    try {
      for (Plan.Planned planned : ((Plan.Steps) steps.plan(event)).steps()) {
        engine.start(route, event, planned, new TriggerRef("mesh.requests", 0, 0));
      }

      EventEnvelope fast =
          await()
              .atMost(Duration.ofSeconds(10))
              .until(() -> outcome(published, "fast"), Optional::isPresent)
              .orElseThrow();
      assertThat(fast.payload()).isInstanceOf(VmsReady.class);
      assertThat(fast.causationId()).isEqualTo(event.eventId());
      assertThat(outcome(published, "slow")).isEmpty();

      EventEnvelope slow =
          await()
              .atMost(Duration.ofSeconds(10))
              .until(() -> outcome(published, "slow"), Optional::isPresent)
              .orElseThrow();
      ClusterFailed failed = (ClusterFailed) slow.payload();
      assertThat(failed.stage()).isEqualTo("vms");
      assertThat(failed.code()).isEqualTo("HEAT_STACK_TIMEOUT");
      assertThat(failed.retryable()).isTrue();
      assertThat(failed.reason())
          .contains("mesh-m1-slow", "CREATE_IN_PROGRESS", "mesh.vms.stack-timeout");
    } finally {
      engine.stop(Duration.ofSeconds(5));
    }
  }

  private static Optional<EventEnvelope> outcome(List<EventEnvelope> published, String cluster) {
    return published.stream()
        .filter(e -> cluster.equals(e.cluster()) && !(e.payload() instanceof ProgressReported))
        .findFirst();
  }

  private static StepRoute route(MeshRequestedSteps steps) {
    return new StepRoute() {
      @Override
      public EventType type() {
        return EventType.MESH_REQUESTED;
      }

      @Override
      public String stage() {
        return "vms";
      }

      @Override
      public Plan plan(EventEnvelope event) {
        return steps.plan(event);
      }
    };
  }
}
