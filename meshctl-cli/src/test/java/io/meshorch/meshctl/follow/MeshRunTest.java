package io.meshorch.meshctl.follow;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.MeshDeleted;
import io.meshorch.contracts.MeshEvent;
import io.meshorch.contracts.MeshFailed;
import io.meshorch.contracts.MeshRejected;
import io.meshorch.contracts.MeshRequested;
import io.meshorch.contracts.StepStarted;
import io.meshorch.contracts.Violation;
import io.meshorch.testkit.Samples;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class MeshRunTest {
  private static final Instant T0 = Instant.parse("2026-11-25T00:00:00Z");

  private static EventEnvelope at(Instant when, MeshEvent payload) {
    EventEnvelope e = EventEnvelope.create("demo", null, null, "x", payload);
    return new EventEnvelope(
        e.eventId(), e.type(), "demo", null, UUID.randomUUID(), when, "x", payload);
  }

  private static MeshRequested request() {
    return new MeshRequested(List.of(Samples.cluster("east", 1, 1)));
  }

  @Test
  void theEchoOfTheRequestArrivingAfterItsRejectionDoesNotReopenTheRun() {
    EventEnvelope request = at(T0, request());
    MeshRun run = new MeshRun("demo");
    run.apply(request);

    run.apply(
        at(T0.plusMillis(300), new MeshRejected(List.of(new Violation("clusters[0].id", "bad")))));
    run.apply(request);

    assertThat(run.outcome()).isEqualTo(MeshRun.Outcome.REJECTED);
  }

  @Test
  void aNewerRequestStartsANewRun() {
    MeshRun run = new MeshRun("demo");
    run.apply(at(T0, request()));
    run.apply(
        at(T0.plusMillis(300), new MeshRejected(List.of(new Violation("clusters[0].id", "bad")))));

    run.apply(at(T0.plusSeconds(60), request()));

    assertThat(run.outcome()).isEqualTo(MeshRun.Outcome.IN_PROGRESS);
    assertThat(run.clusters()).containsOnlyKeys("east");
  }

  @Test
  void aStartedStepNeitherEndsNorReopensARun() {
    MeshRun run = new MeshRun("demo");
    run.apply(at(T0, request()));

    run.apply(at(T0.plusSeconds(1), new StepStarted("vms", "mesh.requests", 0, 7)));

    assertThat(run.outcome()).isEqualTo(MeshRun.Outcome.IN_PROGRESS);

    run.apply(
        at(
            T0.plusSeconds(2),
            new MeshFailed("vms", "east", "HEAT_STACK_FAILED", "CREATE failed", false)));
    run.apply(at(T0.plusSeconds(3), new StepStarted("vms", "mesh.requests", 0, 7)));

    assertThat(run.outcome()).isEqualTo(MeshRun.Outcome.FAILED);
    assertThat(run.retryable()).isFalse();
  }

  @Test
  void aMeshDeletedAfterItsLastRequestIsDeletedWhateverTheOrderItsEventsAreReadIn() {
    EventEnvelope request = at(T0, request());
    EventEnvelope deleted = at(T0.plusSeconds(60), new MeshDeleted(List.of(), List.of()));
    MeshRun inOrder = new MeshRun("demo");
    inOrder.apply(request);
    inOrder.apply(deleted);
    MeshRun deletionReadFirst = new MeshRun("demo");
    deletionReadFirst.apply(deleted);
    deletionReadFirst.apply(request);

    assertThat(inOrder.outcome()).isEqualTo(MeshRun.Outcome.DELETED);
    assertThat(inOrder.clusters()).isEmpty();
    assertThat(deletionReadFirst.outcome()).isEqualTo(MeshRun.Outcome.DELETED);
    assertThat(Render.json(inOrder)).contains("\"status\" : \"DELETED\"");
  }

  @Test
  void aRequestAfterTheDeletionBuildsTheMeshAnewAndAnOlderDeletionDoesNotEndIt() {
    MeshRun run = new MeshRun("demo");
    run.apply(at(T0, new MeshDeleted(List.of(), List.of())));
    run.apply(at(T0.plusSeconds(60), request()));
    run.apply(at(T0.minusSeconds(60), new MeshDeleted(List.of(), List.of())));

    assertThat(run.outcome()).isEqualTo(MeshRun.Outcome.IN_PROGRESS);
    assertThat(run.clusters()).containsOnlyKeys("east");
  }
}
