package io.meshorch.mesh.application;

import static io.meshorch.mesh.application.TestMesh.onlyStep;
import static io.meshorch.mesh.application.TestMesh.ref;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.MeshFailed;
import io.meshorch.contracts.MeshReady;
import io.meshorch.kit.step.Plan;
import io.meshorch.kit.step.StepDriver;
import io.meshorch.kit.step.StepDriver.Result;
import io.meshorch.kit.step.StepKey;
import io.meshorch.mesh.domain.MeshLedger;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MeshStepsTest {
  private final TestMesh mesh = new TestMesh();
  private final FakeClusterMesh clusters = mesh.clusters;
  private final MeshLedger ledger = new MeshLedger();
  private final MeshSteps steps = steps(ledger);

  private MeshSteps steps(MeshLedger ledger) {
    return new MeshSteps(ledger, clusters, Duration.ofMinutes(5), mesh.clock);
  }

  private static Result run(EventEnvelope trigger, Plan.Planned planned, int maxCalls) {
    return new StepDriver(trigger, planned.key(), "mesh").run(planned.step().get(), maxCalls);
  }

  @Test
  void plansOneMeshStepNamedByTheCauseOfItsOutcomeOnceEveryClusterIsPorted() {
    EventEnvelope request = mesh.request();
    EventEnvelope east = mesh.ports("east");
    EventEnvelope west = mesh.ports("west");

    assertThat(steps.plan(request)).isEqualTo(Plan.nothing());
    assertThat(steps.plan(east)).isEqualTo(Plan.nothing());
    Plan.Planned planned = onlyStep(steps.plan(west));

    assertThat(planned.key()).isEqualTo(new StepKey(west.eventId(), null));
    assertThat(onlyStep(steps.plan(east)).key())
        .as("a redelivered event names the same step, which the kit does not start twice")
        .isEqualTo(planned.key());
    assertThat(clusters.writeCalls(ref("east"))).as("planning calls no cluster").isZero();
  }

  @Test
  void plansTheMeshWhenItsRequestComesAfterItsPorts() {
    EventEnvelope request = mesh.request();
    EventEnvelope east = mesh.ports("east");
    EventEnvelope west = mesh.ports("west");
    steps.plan(west);
    steps.plan(east);

    Plan.Planned planned = onlyStep(steps.plan(request));

    assertThat(planned.key()).isEqualTo(new StepKey(west.eventId(), null));
    assertThat(run(request, planned, 10)).isInstanceOf(Result.Done.class);
  }

  @ParameterizedTest(name = "retryable={0}")
  @ValueSource(booleans = {true, false})
  void aClusterFailureEndsAtOnceInMeshFailedCarryingItsRetryable(boolean retryable) {
    steps.plan(mesh.request());
    steps.plan(mesh.ports("east"));
    EventEnvelope failure = mesh.clusterFailed("west", retryable);

    Plan.Planned planned = onlyStep(steps.plan(failure));
    Result result = run(failure, planned, 1);

    assertThat(planned.key()).isEqualTo(new StepKey(failure.eventId(), null));
    assertThat(result)
        .isEqualTo(
            new Result.Done(
                new MeshFailed(
                    "cni", "west", "CILIUM_NOT_READY", "DaemonSet cilium not ready", retryable)));
    assertThat(steps.plan(mesh.ports("west"))).isEqualTo(Plan.nothing());
    assertThat(steps.plan(mesh.clusterFailed("east", true))).isEqualTo(Plan.nothing());
    assertThat(steps.plan(failure)).as("replayed").isEqualTo(Plan.nothing());
    assertThat(clusters.writeCalls(ref("east"))).isZero();
  }

  @Test
  void aStoppedStepIsPlannedAgainAndAFinishedOneNever() {
    clusters.syncsAfterReads(ref("west"), 5);
    steps.plan(mesh.request());
    steps.plan(mesh.ports("east"));
    EventEnvelope west = mesh.ports("west");
    Plan.Planned planned = onlyStep(steps.plan(west));

    assertThat(run(west, planned, 3))
        .as("stopped while waiting")
        .isInstanceOf(Result.StillWaiting.class);
    Plan.Planned resumed = onlyStep(steps.plan(west));
    assertThat(resumed.key()).isEqualTo(planned.key());
    assertThat(run(west, resumed, 10)).isInstanceOf(Result.Done.class);
    assertThat(steps.plan(west)).isEqualTo(Plan.nothing());
  }

  @Test
  void aClusterFailureWhileConnectingNeitherStartsASecondStepNorChangesTheResumedOne() {
    EventEnvelope request = mesh.request();
    EventEnvelope east = mesh.ports("east");
    EventEnvelope west = mesh.ports("west");
    EventEnvelope lateFailure = mesh.clusterFailed("east", true);
    steps.plan(request);
    steps.plan(east);
    Plan.Planned connect = onlyStep(steps.plan(west));

    assertThat(onlyStep(steps.plan(lateFailure)).key()).isEqualTo(connect.key());

    // Restart: the ledger replays every topic, the failure included, and the StepStarted.
    MeshLedger replayed = new MeshLedger();
    List.of(lateFailure, west, request, east).forEach(replayed::record);
    replayed.recordOwn(TestMesh.stepStarted(connect));
    Plan.Planned resumed = onlyStep(steps(replayed).plan(west));

    assertThat(resumed.key()).isEqualTo(connect.key());
    assertThat(run(west, resumed, 10))
        .extracting(r -> ((Result.Done) r).outcome())
        .isInstanceOf(MeshReady.class);
  }
}
