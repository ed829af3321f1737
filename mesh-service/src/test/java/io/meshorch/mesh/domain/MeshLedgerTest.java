package io.meshorch.mesh.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.PortsUpdated;
import io.meshorch.contracts.ProgressReported;
import io.meshorch.contracts.StepStarted;
import io.meshorch.mesh.domain.MeshProgress.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MeshLedgerTest {

  @Test
  void handsTheSameConnectToEveryThreadOnceTheMeshIsComplete() throws Exception {
    MeshLedger ledger = new MeshLedger();
    ledger.record(Events.requested());
    List<Callable<Optional<MeshAction>>> calls = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      String cluster = i % 2 == 0 ? "east" : "west";
      calls.add(() -> ledger.recordAndClaim(Events.ports(cluster)));
    }
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<MeshAction> actions = new ArrayList<>();
      for (Future<Optional<MeshAction>> f : pool.invokeAll(calls)) {
        f.get(10, TimeUnit.SECONDS).ifPresent(actions::add);
      }
      assertThat(actions).isNotEmpty().allMatch(a -> a instanceof MeshAction.Connect);
      assertThat(actions.stream().map(MeshAction::causationId).distinct()).hasSize(1);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void afterReplayAMeshReadyToConnectIsPlannedAgainButOneAlreadyDoneIsNot() {
    MeshLedger ledger = new MeshLedger();
    EventEnvelope west = Events.ports("west");
    for (EventEnvelope e : List.of(west, Events.requested(), Events.ports("east"))) {
      ledger.record(e);
    }
    EventEnvelope otherReq =
        EventEnvelope.create("m2", null, null, "meshctl", Events.requested().payload());
    EventEnvelope otherWest =
        EventEnvelope.create("m2", "west", null, "infra-service", Events.portsUpdated("west"));
    ledger.record(otherReq);
    ledger.record(
        EventEnvelope.create("m2", "east", null, "infra-service", Events.portsUpdated("east")));
    ledger.record(otherWest);
    ledger.recordOwn(
        EventEnvelope.create("m2", null, null, "mesh-service", Events.meshReady().payload()));

    assertThat(ledger.recordAndClaim(west)).get().isInstanceOf(MeshAction.Connect.class);
    assertThat(ledger.recordAndClaim(otherWest)).isEmpty();
    assertThat(ledger.status("m2")).contains(Status.DONE);
  }

  @Test
  void ownProgressAndClusterFailedAreNotFactsOfTheMesh() {
    MeshLedger ledger = new MeshLedger();
    ledger.recordOwn(Events.clusterFailed("east"));
    ledger.recordOwn(
        EventEnvelope.create(
            Events.MESH, null, null, "mesh-service", new ProgressReported("mesh", "connecting")));
    assertThat(ledger.status(Events.MESH)).isEmpty();
  }

  @Test
  void ownStepStartedPicksTheActionToHandOutAgain() {
    EventEnvelope east =
        Events.at(Events.T0.plusSeconds(2), "east", "infra", Events.portsUpdated("east"));
    EventEnvelope west =
        Events.at(Events.T0.plusSeconds(3), "west", "infra", Events.portsUpdated("west"));
    EventEnvelope failure = Events.clusterFailed("east");
    List<EventEnvelope> facts = List.of(Events.requested(), east, west, failure);
    MeshLedger plain = new MeshLedger();
    MeshLedger withStarted = new MeshLedger();
    facts.forEach(plain::record);
    facts.forEach(withStarted::record);
    withStarted.recordOwn(
        EventEnvelope.create(
            Events.MESH,
            null,
            west.eventId(),
            "mesh-service",
            new StepStarted("mesh", "mesh.infra.events", 0, 3)));

    assertThat(plain.recordAndClaim(failure))
        .as("a failure wins when no step was started")
        .get()
        .isInstanceOf(MeshAction.Fail.class);
    assertThat(withStarted.recordAndClaim(failure))
        .as("the connect step that was started is resumed")
        .get()
        .isInstanceOfSatisfying(
            MeshAction.Connect.class, c -> assertThat(c.causationId()).isEqualTo(west.eventId()));
  }

  @Test
  void aPortsUpdatedThatCannotBeConnectedIsRefusedLiveAndSkippedOnReplay() {
    PortsUpdated good = Events.portsUpdated("west");
    EventEnvelope broken =
        Events.envelope(
            "west",
            "infra-service",
            new PortsUpdated(
                good.cluster(), good.nodes(), null, good.meshEndpointIp(), 2379, good.portIds()));
    MeshLedger ledger = new MeshLedger();
    ledger.record(Events.requested());
    ledger.record(Events.ports("east"));

    assertThatThrownBy(() -> ledger.recordAndClaim(broken))
        .as("the kit dead-letters it and answers the mesh")
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("kubeconfig reference");
    assertThat(ledger.record(broken)).as("a replay goes on").isFalse();
    assertThat(ledger.status(Events.MESH)).contains(Status.WAITING);
    assertThat(ledger.recordAndClaim(Events.ports("west"))).isPresent();
  }

  @Test
  void aCompletedMeshIsNeverActedOnAgain() {
    MeshLedger ledger = new MeshLedger();
    ledger.record(Events.requested());
    ledger.record(Events.ports("east"));
    assertThat(ledger.recordAndClaim(Events.ports("west"))).isPresent();

    ledger.completed(Events.MESH);

    assertThat(ledger.recordAndClaim(Events.clusterFailed("east"))).isEmpty();
    assertThat(ledger.status(Events.MESH)).contains(Status.DONE);
  }

  @Test
  void aReleasedMeshIsHandedOutAgainByTheNextEvent() {
    MeshLedger ledger = new MeshLedger();
    ledger.record(Events.requested());
    ledger.record(Events.ports("east"));
    EventEnvelope west = Events.ports("west");
    Optional<MeshAction> first = ledger.recordAndClaim(west);

    ledger.released(Events.MESH);

    assertThat(ledger.recordAndClaim(west)).isEqualTo(first).isPresent();
  }
}
