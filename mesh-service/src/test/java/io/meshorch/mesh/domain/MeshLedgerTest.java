package io.meshorch.mesh.domain;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshorch.contracts.EventEnvelope;
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
  void handsOutConnectExactlyOnceWhenPortsUpdatedArriveOnManyThreads() throws Exception {
    MeshLedger ledger = new MeshLedger();
    ledger.record(Events.requested());
    List<Callable<Optional<MeshAction>>> calls = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      String cluster = i % 2 == 0 ? "east" : "west";
      calls.add(() -> ledger.recordAndClaim(Events.ports(cluster)));
    }
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Optional<MeshAction>> results = new ArrayList<>();
      for (Future<Optional<MeshAction>> f : pool.invokeAll(calls)) {
        results.add(f.get(10, TimeUnit.SECONDS));
      }
      assertThat(results).filteredOn(Optional::isPresent).hasSize(1);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void resumesAMeshReadyToConnectAfterReplayButNotOneAlreadyDone() {
    MeshLedger ledger = new MeshLedger();
    for (EventEnvelope e :
        List.of(Events.ports("west"), Events.requested(), Events.ports("east"))) {
      ledger.record(e);
    }
    EventEnvelope otherReq =
        EventEnvelope.create("m2", null, null, "meshctl", Events.requested().payload());
    ledger.record(otherReq);
    ledger.record(
        EventEnvelope.create("m2", "east", null, "infra-service", Events.portsUpdated("east")));
    ledger.record(
        EventEnvelope.create("m2", "west", null, "infra-service", Events.portsUpdated("west")));
    ledger.recordOwn(
        EventEnvelope.create("m2", null, null, "mesh-service", Events.meshReady().payload()));

    List<MeshAction> pending = ledger.claimPending();

    assertThat(pending).singleElement().isInstanceOf(MeshAction.Connect.class);
    assertThat(pending.get(0).meshId()).isEqualTo(Events.MESH);
    assertThat(ledger.status("m2")).contains(Status.DONE);
    assertThat(ledger.claimPending()).isEmpty();
  }

  @Test
  void ownClusterFailedIsNotAFactOfTheMesh() {
    MeshLedger ledger = new MeshLedger();
    ledger.recordOwn(Events.clusterFailed("east"));
    assertThat(ledger.status(Events.MESH)).isEmpty();
  }

  @Test
  void aCompletedMeshIsNeverActedOnAgain() {
    MeshLedger ledger = new MeshLedger();
    ledger.record(Events.requested());
    ledger.record(Events.ports("east"));
    assertThat(ledger.recordAndClaim(Events.ports("west"))).isPresent();

    ledger.completed(Events.MESH);

    assertThat(ledger.recordAndClaim(Events.clusterFailed("east"))).isEmpty();
    assertThat(ledger.claimPending()).isEmpty();
    assertThat(ledger.status(Events.MESH)).contains(Status.DONE);
  }

  @Test
  void aReleasedMeshIsResumedByTheNextEvent() {
    MeshLedger ledger = new MeshLedger();
    ledger.record(Events.requested());
    ledger.record(Events.ports("east"));
    assertThat(ledger.recordAndClaim(Events.ports("west"))).isPresent();

    ledger.released(Events.MESH);

    assertThat(ledger.recordAndClaim(Events.ports("west"))).isPresent();
  }
}
