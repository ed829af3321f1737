package io.meshorch.mesh.application;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshorch.contracts.ClusterFailed;
import io.meshorch.contracts.ClusterSpec;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.MeshFailed;
import io.meshorch.contracts.MeshReady;
import io.meshorch.contracts.MeshReady.MeshClusterView;
import io.meshorch.contracts.MeshReady.RemoteNodes;
import io.meshorch.contracts.MeshRejected;
import io.meshorch.contracts.MeshRequested;
import io.meshorch.contracts.PortsUpdated;
import io.meshorch.contracts.ProgressReported;
import io.meshorch.contracts.Violation;
import io.meshorch.kit.retry.Backoff;
import io.meshorch.mesh.domain.MeshLedger;
import io.meshorch.mesh.domain.MeshProgress.Status;
import io.meshorch.mesh.domain.RemoteCluster;
import io.meshorch.testkit.Samples;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MeshHandlersTest {
  private static final String MESH = "m1";
  private static final ClusterSpec EAST = Samples.cluster("east", 1, 2);
  private static final ClusterSpec WEST = Samples.cluster("west", 2, 1);

  private final FakeClusterMesh clusters = new FakeClusterMesh();
  private final RecordingPublisher publisher = new RecordingPublisher();
  private final MeshLedger ledger = new MeshLedger();
  private final ExecutorService pool = Executors.newFixedThreadPool(8);
  private MeshActionRunner runner = runner(Duration.ofSeconds(5));

  private final MeshRequestedHandler requested = new MeshRequestedHandler(ledger, runner);
  private final MeshRejectedHandler rejected = new MeshRejectedHandler(ledger, runner);
  private final PortsUpdatedHandler ports = new PortsUpdatedHandler(ledger, runner);
  private final ClusterFailedHandler failed = new ClusterFailedHandler(ledger, runner);

  MeshHandlersTest() {
    for (ClusterSpec spec : List.of(EAST, WEST)) {
      clusters.add(
          ref(spec.name()),
          spec.name(),
          Samples.nodes(MESH, spec).stream().map(n -> n.name()).toList());
    }
  }

  @AfterEach
  void stop() {
    pool.shutdownNow();
  }

  private MeshActionRunner runner(Duration timeout) {
    return new MeshActionRunner(
        clusters,
        publisher,
        ledger,
        new MeshSettings(
            "mesh-service",
            Duration.ofMillis(5),
            timeout,
            new Backoff(2, Duration.ofMillis(1), Duration.ofMillis(1), 1.0)));
  }

  private static String ref(String cluster) {
    return "meshes/" + MESH + "/clusters/" + cluster + "/kubeconfig";
  }

  /** The request, stamped before the cluster facts of the test, as causality has it. */
  private static EventEnvelope request() {
    EventEnvelope now =
        EventEnvelope.create(MESH, null, null, "meshctl", new MeshRequested(List.of(EAST, WEST)));
    return new EventEnvelope(
        now.eventId(),
        now.type(),
        now.meshId(),
        null,
        null,
        now.occurredAt().minusSeconds(60),
        now.producer(),
        now.payload());
  }

  private static EventEnvelope portsUpdated(ClusterSpec spec) {
    return EventEnvelope.create(
        MESH,
        spec.name(),
        UUID.randomUUID(),
        "infra-service",
        new PortsUpdated(
            spec,
            Samples.nodes(MESH, spec),
            ref(spec.name()),
            "192.168.5" + spec.id() + ".10",
            2379,
            List.of("p")));
  }

  private static EventEnvelope clusterFailed(String cluster) {
    return EventEnvelope.create(
        MESH,
        cluster,
        UUID.randomUUID(),
        "cni-service",
        new ClusterFailed("cni", "CILIUM_NOT_READY", "DaemonSet cilium not ready", true));
  }

  @Test
  void connectsEveryPairAndPublishesOneMeshReadyWithTheNodeTable() {
    EventEnvelope east = portsUpdated(EAST);
    EventEnvelope west = portsUpdated(WEST);

    requested.handle(request());
    ports.handle(east);
    ports.handle(west);

    assertThat(clusters.config(ref("east")))
        .containsExactly(new RemoteCluster("west", "192.168.52.10", 2379));
    assertThat(clusters.config(ref("west")))
        .containsExactly(new RemoteCluster("east", "192.168.51.10", 2379));
    EventEnvelope ready = publisher.of(MeshReady.class).get(0);
    assertThat(ready.cluster()).isNull();
    assertThat(ready.causationId()).isEqualTo(west.eventId());
    assertThat(ready.producer()).isEqualTo("mesh-service");
    assertThat(((MeshReady) ready.payload()).clusters())
        .containsExactly(
            new MeshClusterView(
                "east",
                1,
                List.of("mesh-m1-east-node-0", "mesh-m1-east-node-1"),
                "192.168.51.10",
                List.of(new RemoteNodes("west", List.of("mesh-m1-west-node-0")))),
            new MeshClusterView(
                "west",
                2,
                List.of("mesh-m1-west-node-0"),
                "192.168.52.10",
                List.of(
                    new RemoteNodes(
                        "east", List.of("mesh-m1-east-node-0", "mesh-m1-east-node-1")))));
    assertThat(publisher.of(ProgressReported.class))
        .extracting(e -> ((ProgressReported) e.payload()).message())
        .containsExactly("connecting 2 clusters");
    assertThat(ledger.status(MESH)).contains(Status.DONE);
  }

  @Test
  void writesOnceAndAnswersOnceWhenEveryEventIsDeliveredTwice() {
    EventEnvelope request = request();
    EventEnvelope east = portsUpdated(EAST);
    EventEnvelope west = portsUpdated(WEST);

    for (int round = 0; round < 2; round++) {
      requested.handle(request);
      ports.handle(east);
      ports.handle(west);
      ports.handle(portsUpdated(WEST));
    }

    assertThat(clusters.writes(ref("east"))).isEqualTo(1);
    assertThat(clusters.writes(ref("west"))).isEqualTo(1);
    assertThat(publisher.of(MeshReady.class)).hasSize(1);
    assertThat(publisher.of(MeshFailed.class)).isEmpty();
  }

  @Test
  void connectsOnceWhenPortsUpdatedAreHandledOnManyThreadsBeforeTheRequest() throws Exception {
    List<Callable<Void>> calls = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      EventEnvelope event = portsUpdated(i % 2 == 0 ? EAST : WEST);
      calls.add(
          () -> {
            ports.handle(event);
            return null;
          });
    }
    calls.add(
        () -> {
          requested.handle(request());
          return null;
        });
    for (Future<Void> f : pool.invokeAll(calls)) {
      f.get(20, TimeUnit.SECONDS);
    }

    assertThat(publisher.of(MeshReady.class)).hasSize(1);
    assertThat(clusters.writes(ref("east"))).isEqualTo(1);
    assertThat(clusters.writes(ref("west"))).isEqualTo(1);
  }

  @Test
  void turnsTheFirstClusterFailureIntoOneMeshFailed() {
    EventEnvelope failure = clusterFailed("west");

    requested.handle(request());
    ports.handle(portsUpdated(EAST));
    failed.handle(failure);
    failed.handle(failure);
    failed.handle(clusterFailed("east"));
    ports.handle(portsUpdated(WEST));

    assertThat(publisher.of(MeshFailed.class))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.causationId()).isEqualTo(failure.eventId());
              assertThat(e.payload())
                  .isEqualTo(
                      new MeshFailed(
                          "cni", "west", "CILIUM_NOT_READY", "DaemonSet cilium not ready", true));
            });
    assertThat(publisher.of(MeshReady.class)).isEmpty();
    assertThat(clusters.writes(ref("east"))).isZero();
  }

  @Test
  void failsWithTheReasonOfTheAgentsWhenARemoteIsNeverSeen() {
    runner = runner(Duration.ofMillis(100));
    PortsUpdatedHandler handler = new PortsUpdatedHandler(ledger, runner);
    clusters.unreachable("east");

    new MeshRequestedHandler(ledger, runner).handle(request());
    handler.handle(portsUpdated(EAST));
    handler.handle(portsUpdated(WEST));

    assertThat(publisher.of(MeshFailed.class))
        .singleElement()
        .extracting(EventEnvelope::payload)
        .isEqualTo(
            new MeshFailed(
                "mesh",
                "west",
                MeshActionRunner.REMOTE_NOT_SEEN,
                "cluster west does not see cluster east: not connected; last failure: dial tcp"
                    + " 192.168.51.10:2379: i/o timeout",
                true));
    assertThat(publisher.of(ProgressReported.class))
        .extracting(e -> ((ProgressReported) e.payload()).message())
        .containsExactly(
            "connecting 2 clusters", "waiting for agents: west sees 0/2 nodes of east");
  }

  @Test
  void failsTheMeshWhenAClusterRefusesItsConfiguration() {
    clusters.refuseWrites(ref("west"));

    requested.handle(request());
    ports.handle(portsUpdated(EAST));
    ports.handle(portsUpdated(WEST));

    assertThat(publisher.of(MeshFailed.class))
        .singleElement()
        .extracting(EventEnvelope::payload)
        .isEqualTo(
            new MeshFailed(
                "mesh", "west", "KUBE_API_REJECTED", "forbidden: secrets is forbidden", false));
  }

  @Test
  void resumesAMeshTheReplayFoundReadyAndDoesNotRepeatIt() {
    ledger.record(portsUpdated(WEST));
    ledger.record(request());
    ledger.record(portsUpdated(EAST));
    MeshResumer resumer = new MeshResumer(ledger, runner, Runnable::run);

    assertThat(resumer.resumeAll()).isEqualTo(1);
    assertThat(resumer.resumeAll()).isZero();
    ports.handle(portsUpdated(WEST));

    assertThat(publisher.of(MeshReady.class)).hasSize(1);
  }

  @Test
  void doesNothingForAnInvalidRequestAndItsRejection() {
    requested.handle(
        EventEnvelope.create(MESH, null, null, "meshctl", new MeshRequested(List.of(EAST, EAST))));
    rejected.handle(
        EventEnvelope.create(
            MESH,
            null,
            null,
            "infra-service",
            new MeshRejected(List.of(new Violation("clusters[1].name", "duplicate")))));
    ports.handle(portsUpdated(EAST));
    ports.handle(portsUpdated(WEST));

    assertThat(ledger.status(MESH)).contains(Status.CLOSED);
    assertThat(publisher.events()).isEmpty();
  }

  @Test
  void aLaterRequestForTheSameMeshStartsANewRunAfterTheFirstEnded() {
    requested.handle(request());
    ports.handle(portsUpdated(EAST));
    ports.handle(portsUpdated(WEST));
    assertThat(publisher.of(MeshReady.class)).hasSize(1);

    requested.handle(
        EventEnvelope.create(MESH, null, null, "meshctl", new MeshRequested(List.of(EAST, WEST))));
    assertThat(ledger.status(MESH)).contains(Status.WAITING);
    ports.handle(portsUpdated(EAST));
    ports.handle(portsUpdated(WEST));

    assertThat(publisher.of(MeshReady.class)).hasSize(2);
  }
}
