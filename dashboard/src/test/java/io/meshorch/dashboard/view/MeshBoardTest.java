package io.meshorch.dashboard.view;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshorch.contracts.CiliumReady;
import io.meshorch.contracts.ClusterFailed;
import io.meshorch.contracts.ClusterSpec;
import io.meshorch.contracts.ClusterUp;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.EventType;
import io.meshorch.contracts.LbIpAssigned;
import io.meshorch.contracts.MeshDeleteRequested;
import io.meshorch.contracts.MeshDeleted;
import io.meshorch.contracts.MeshEvent;
import io.meshorch.contracts.MeshFailed;
import io.meshorch.contracts.MeshReady;
import io.meshorch.contracts.MeshRejected;
import io.meshorch.contracts.MeshRequested;
import io.meshorch.contracts.PortsUpdated;
import io.meshorch.contracts.ProgressReported;
import io.meshorch.contracts.Stage;
import io.meshorch.contracts.StepStarted;
import io.meshorch.contracts.Violation;
import io.meshorch.contracts.VmsReady;
import io.meshorch.dashboard.view.MeshView.Cell;
import io.meshorch.dashboard.view.MeshView.CellState;
import io.meshorch.dashboard.view.MeshView.MeshState;
import io.meshorch.testkit.Samples;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class MeshBoardTest {
  private static final Instant T0 = Instant.parse("2026-11-30T08:00:00Z");
  private static final ClusterSpec EAST = Samples.cluster("east", 1, 2);
  private static final ClusterSpec WEST = Samples.cluster("west", 2, 1);

  private final MeshBoard board = new MeshBoard();

  @Test
  void showsEachClusterMovingThroughTheStagesWithDurationsAndLatestMessage() {
    board.apply(at(0, null, new MeshRequested(List.of(EAST, WEST))));
    board.apply(at(100, "east", new StepStarted(Stage.VMS, "mesh.requests", 0, 0)));
    board.apply(at(200, "east", new ProgressReported(Stage.VMS, "stack CREATE_IN_PROGRESS")));

    MeshView running = view("demo");
    assertThat(running.state()).isEqualTo(MeshState.IN_PROGRESS);
    assertThat(running.requestedAt()).isEqualTo(T0);
    assertThat(running.clusters())
        .extracting(MeshView.ClusterRow::name)
        .containsExactly("east", "west");
    Cell eastVms = cell(running, "east", Stage.VMS);
    assertThat(eastVms.state()).isEqualTo(CellState.RUNNING);
    assertThat(eastVms.startedAt()).isEqualTo(T0.plusMillis(100));
    assertThat(eastVms.message()).isEqualTo("stack CREATE_IN_PROGRESS");
    assertThat(cell(running, "west", Stage.VMS).state()).isEqualTo(CellState.PENDING);

    board.apply(at(1600, "east", vmsReady(EAST)));
    board.apply(at(1700, "east", new StepStarted(Stage.KUBERNETES, "mesh.infra.events", 0, 1)));

    MeshView later = view("demo");
    Cell done = cell(later, "east", Stage.VMS);
    assertThat(done.state()).isEqualTo(CellState.DONE);
    assertThat(done.durationMillis()).isEqualTo(1500);
    assertThat(done.message())
        .as("the step's last word stays")
        .isEqualTo("stack CREATE_IN_PROGRESS");
    assertThat(cell(later, "east", Stage.KUBERNETES).state()).isEqualTo(CellState.RUNNING);
    assertThat(later.clusters().get(0).cells())
        .extracting(Cell::stage)
        .containsExactlyElementsOf(MeshBoard.STAGES);
  }

  @Test
  void aMeshReadyEndsEveryCellAndCarriesTheNodeTable() {
    List<EventEnvelope> run = readyRun();
    run.forEach(board::apply);

    MeshView view = view("demo");
    assertThat(view.state()).isEqualTo(MeshState.READY);
    assertThat(view.endedAt()).isEqualTo(T0.plusSeconds(20));
    assertThat(view.clusters())
        .flatExtracting(MeshView.ClusterRow::cells)
        .extracting(Cell::state)
        .containsOnly(CellState.DONE);
    assertThat(cell(view, "west", Stage.MESH).startedAt())
        .as("the mesh step starts for every cluster when mesh-service starts it")
        .isEqualTo(T0.plusSeconds(15));
    assertThat(view.nodeTable())
        .extracting(MeshReady.MeshClusterView::name)
        .containsExactly("east", "west");
    assertThat(view.nodeTable().get(0).remoteNodes().get(0).nodes()).containsExactly("west-0");
    assertThat(view.failures()).isEmpty();
  }

  @Test
  void theSameViewWhateverOrderTheTopicsAreReadInAndEventsSeenTwiceCountOnce() {
    List<EventEnvelope> run = readyRun();
    run.forEach(board::apply);
    MeshView inOrder = view("demo");

    MeshBoard replayed = new MeshBoard();
    List<EventEnvelope> shuffled = new ArrayList<>(run);
    shuffled.addAll(run); // a replay after a rebalance
    Collections.shuffle(shuffled, new Random(7));
    shuffled.forEach(replayed::apply);

    assertThat(replayed.mesh("demo")).contains(inOrder);
    assertThat(replayed.apply(run.get(3))).as("a duplicate changes nothing").isFalse();
  }

  @Test
  void aClusterFailureShowsItsStageCodeAndReasonOnceEvenWhenTheMeshRepeatsIt() {
    board.apply(at(0, null, new MeshRequested(List.of(EAST))));
    board.apply(at(100, "east", new StepStarted(Stage.VMS, "mesh.requests", 0, 0)));
    board.apply(
        at(
            900,
            "east",
            new ClusterFailed(
                Stage.VMS, "NETWORK_NOT_FOUND", "no network no-such-network", false)));
    board.apply(
        at(
            1000,
            null,
            new MeshFailed(
                Stage.VMS, "east", "NETWORK_NOT_FOUND", "no network no-such-network", null)));

    board.apply(at(950, null, new StepStarted(Stage.MESH, "mesh.infra.events", 0, 3)));

    MeshView view = view("demo");
    assertThat(view.state()).isEqualTo(MeshState.FAILED);
    assertThat(cell(view, "east", Stage.VMS).state()).isEqualTo(CellState.FAILED);
    assertThat(cell(view, "east", Stage.MESH).state())
        .as("mesh-service's step that only reported the failure: the mesh step was not reached")
        .isEqualTo(CellState.PENDING);
    assertThat(cell(view, "east", Stage.KUBERNETES).state()).isEqualTo(CellState.PENDING);
    assertThat(view.failures())
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.cluster()).isEqualTo("east");
              assertThat(f.stage()).isEqualTo(Stage.VMS);
              assertThat(f.code()).isEqualTo("NETWORK_NOT_FOUND");
              assertThat(f.reason()).contains("no-such-network");
              assertThat(f.retryable()).isFalse();
            });
  }

  @Test
  void aMeshLevelFailureMarksTheMeshStepOfEveryCluster() {
    board.apply(at(0, null, new MeshRequested(List.of(EAST, WEST))));
    board.apply(at(100, null, new StepStarted(Stage.MESH, "mesh.infra.events", 0, 9)));
    board.apply(
        at(
            300,
            null,
            new MeshFailed(Stage.MESH, null, "CA_MISMATCH", "east holds A, west holds B", false)));

    MeshView view = view("demo");
    assertThat(List.of(cell(view, "east", Stage.MESH), cell(view, "west", Stage.MESH)))
        .extracting(Cell::state)
        .containsOnly(CellState.FAILED);
    assertThat(view.failures()).extracting(MeshView.Failure::code).containsExactly("CA_MISMATCH");
  }

  @Test
  void aRejectedRequestListsEveryBrokenRule() {
    board.apply(at(0, null, new MeshRequested(List.of(EAST))));
    board.apply(
        at(
            50,
            null,
            new MeshRejected(
                List.of(
                    new Violation("clusters[0].podCidr", "overlaps clusters[1].podCidr"),
                    new Violation("clusters[0].id", "must be 1..255")))));

    MeshView view = view("demo");
    assertThat(view.state()).isEqualTo(MeshState.REJECTED);
    assertThat(view.failures())
        .extracting(MeshView.Failure::stage, MeshView.Failure::reason)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                Stage.VALIDATE, "clusters[0].podCidr: overlaps clusters[1].podCidr"),
            org.assertj.core.groups.Tuple.tuple(Stage.VALIDATE, "clusters[0].id: must be 1..255"));
  }

  @Test
  void aNewRequestStartsANewRunAndEventsOfTheOldOneAreIgnored() {
    readyRun().forEach(board::apply);
    board.apply(at(60_000, null, new MeshRequested(List.of(EAST))));
    board.apply(at(61_000, "east", new StepStarted(Stage.VMS, "mesh.requests", 0, 5)));
    boolean late = board.apply(at(10_000, "west", new ProgressReported(Stage.CNI, "late")));

    MeshView view = view("demo");
    assertThat(late).as("an event of the old run").isFalse();
    assertThat(view.state()).isEqualTo(MeshState.IN_PROGRESS);
    assertThat(view.requestedAt()).isEqualTo(T0.plusSeconds(60));
    assertThat(view.clusters()).extracting(MeshView.ClusterRow::name).containsExactly("east");
    assertThat(view.nodeTable()).isEmpty();
    assertThat(view.endedAt()).isNull();
  }

  @Test
  void aMeshRunAgainAndAgainKeepsOnlyItsLatestRunsEventsAndDuplicatesStillCountOnce() {
    int perRun = 0;
    for (int run = 0; run < 200; run++) {
      long base = run * 100_000L;
      List<EventEnvelope> events =
          List.of(
              at(base, null, new MeshRequested(List.of(EAST))),
              at(base + 1_000, "east", new StepStarted(Stage.VMS, "mesh.requests", 0, run)),
              at(base + 2_000, "east", new ProgressReported(Stage.VMS, "creating stack")));
      events.forEach(board::apply);
      perRun = events.size();
      EventEnvelope again = events.get(2);
      assertThat(board.apply(again)).as("a redelivery of run %d", run).isFalse();
    }

    assertThat(board.eventsKept()).as("the events kept for mesh demo").isEqualTo(perRun);
    assertThat(view("demo").requestedAt()).isEqualTo(T0.plusSeconds(199 * 100L));
  }

  @Test
  void deletionShowsDeletingThenDeleted() {
    readyRun().forEach(board::apply);
    board.apply(at(30_000, null, new MeshDeleteRequested()));
    assertThat(view("demo").state()).isEqualTo(MeshState.DELETING);
    board.apply(at(35_000, null, new MeshDeleted(List.of(), List.of())));
    assertThat(view("demo").state()).isEqualTo(MeshState.DELETED);
  }

  @Test
  void listsMeshesMostRecentlyRequestedFirst() {
    board.apply(envelope("old", null, T0, new MeshRequested(List.of(EAST))));
    board.apply(envelope("new", null, T0.plusSeconds(5), new MeshRequested(List.of(EAST))));
    board.apply(envelope("mid", null, T0.plusSeconds(2), new MeshRequested(List.of(EAST))));

    assertThat(board.meshes()).extracting(MeshView::meshId).containsExactly("new", "mid", "old");
    assertThat(board.mesh("none")).isEmpty();
  }

  /** Mesh demo, east and west, built and connected within 20 s. */
  private static List<EventEnvelope> readyRun() {
    List<EventEnvelope> run = new ArrayList<>();
    run.add(at(0, null, new MeshRequested(List.of(EAST, WEST))));
    long t = 100;
    for (ClusterSpec c : List.of(EAST, WEST)) {
      String n = c.name();
      run.add(at(t, n, new StepStarted(Stage.VMS, "mesh.requests", 0, 0)));
      run.add(at(t + 2000, n, vmsReady(c)));
      run.add(at(t + 2100, n, new StepStarted(Stage.KUBERNETES, "mesh.infra.events", 0, 1)));
      run.add(at(t + 2500, n, new ProgressReported(Stage.KUBERNETES, "rke up: etcd")));
      run.add(at(t + 6000, n, new ClusterUp(c, Samples.nodes("demo", c), "https://x:6443", "ref")));
      run.add(at(t + 7000, n, new CiliumReady(c, Samples.nodes("demo", c), "ref", "1.18.12")));
      run.add(
          at(
              t + 9000,
              n,
              new LbIpAssigned(c, Samples.nodes("demo", c), "ref", "192.168.1.10", 2379)));
      run.add(
          at(
              t + 10_000,
              n,
              new PortsUpdated(
                  c, Samples.nodes("demo", c), "ref", "192.168.1.10", 2379, List.of("p"))));
      t += 300;
    }
    run.add(at(15_000, null, new StepStarted(Stage.MESH, "mesh.infra.events", 0, 7)));
    run.add(
        at(
            20_000,
            null,
            new MeshReady(
                List.of(
                    new MeshReady.MeshClusterView(
                        "east",
                        1,
                        List.of("east-0", "east-1"),
                        "192.168.51.10",
                        List.of(new MeshReady.RemoteNodes("west", List.of("west-0")))),
                    new MeshReady.MeshClusterView(
                        "west",
                        2,
                        List.of("west-0"),
                        "192.168.52.10",
                        List.of(
                            new MeshReady.RemoteNodes("east", List.of("east-0", "east-1"))))))));
    return run;
  }

  private static VmsReady vmsReady(ClusterSpec c) {
    return new VmsReady(c, "stack-" + c.name(), Samples.nodes("demo", c));
  }

  private static EventEnvelope at(long millis, String cluster, MeshEvent payload) {
    return envelope("demo", cluster, T0.plus(Duration.ofMillis(millis)), payload);
  }

  private static EventEnvelope envelope(
      String meshId, String cluster, Instant t, MeshEvent payload) {
    return new EventEnvelope(
        UUID.randomUUID(),
        EventType.of(payload).wireName(),
        meshId,
        cluster,
        null,
        t,
        "test",
        payload);
  }

  private MeshView view(String meshId) {
    return board.mesh(meshId).orElseThrow();
  }

  private static Cell cell(MeshView view, String cluster, String stage) {
    return view.clusters().stream()
        .filter(r -> r.name().equals(cluster))
        .findFirst()
        .orElseThrow()
        .cells()
        .get(MeshBoard.STAGES.indexOf(stage));
  }
}
