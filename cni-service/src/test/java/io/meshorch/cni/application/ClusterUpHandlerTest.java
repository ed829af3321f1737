package io.meshorch.cni.application;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.meshorch.cni.application.Fakes.FakeClusters;
import io.meshorch.cni.application.Fakes.FakeMeshCa;
import io.meshorch.cni.application.Fakes.RecordingPublisher;
import io.meshorch.cni.domain.CiliumRelease;
import io.meshorch.contracts.CiliumReady;
import io.meshorch.contracts.ClusterFailed;
import io.meshorch.contracts.ClusterSpec;
import io.meshorch.contracts.ClusterUp;
import io.meshorch.contracts.EventCodec;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.EventType;
import io.meshorch.contracts.ProgressReported;
import io.meshorch.contracts.Stage;
import io.meshorch.contracts.Topics;
import io.meshorch.kit.dedupe.HandledEvents;
import io.meshorch.kit.failure.StepFailure;
import io.meshorch.kit.messaging.EventRoute;
import io.meshorch.kit.messaging.InboundDispatcher;
import io.meshorch.testkit.Samples;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ClusterUpHandlerTest {
  private final HandledEvents handled = new HandledEvents();
  private final RecordingPublisher publisher = new RecordingPublisher(handled);
  private final FakeMeshCa meshCa = new FakeMeshCa();
  private final FakeClusters clusters = new FakeClusters();
  private final ExecutorService workers = Executors.newSingleThreadExecutor();

  @AfterEach
  void stopWorkers() {
    workers.shutdownNow();
  }

  private ClusterUpHandler handler(Duration readyTimeout) {
    return new ClusterUpHandler(
        meshCa,
        clusters,
        publisher,
        handled,
        new CniStepSettings(
            "cni-service", new CiliumRelease("1.18.2"), readyTimeout, Duration.ofMillis(5)));
  }

  private ClusterUpHandler handler() {
    return handler(Duration.ofSeconds(5));
  }

  private static String ref(String meshId, String cluster) {
    return "meshes/" + meshId + "/clusters/" + cluster + "/kubeconfig";
  }

  private static EventEnvelope clusterUp(String meshId, ClusterSpec spec) {
    return EventEnvelope.create(
        meshId,
        spec.name(),
        UUID.randomUUID(),
        "rke-service",
        new ClusterUp(
            spec,
            Samples.nodes(meshId, spec),
            "https://127.10.1.10:6443",
            ref(meshId, spec.name())));
  }

  private List<EventEnvelope> outcomes() {
    return publisher.published.stream()
        .filter(e -> !(e.payload() instanceof ProgressReported))
        .toList();
  }

  @Test
  void installsCiliumWithTheMeshCaAndPublishesCiliumReady() {
    ClusterSpec east = Samples.cluster("east", 1, 2);
    EventEnvelope in = clusterUp("demo", east);

    handler().handle(in);

    assertThat(outcomes())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.payload())
                  .isEqualTo(
                      new CiliumReady(
                          east, Samples.nodes("demo", east), ref("demo", "east"), "1.18.2"));
              assertThat(e.causationId()).isEqualTo(in.eventId());
              assertThat(e.cluster()).isEqualTo("east");
              assertThat(e.meshId()).isEqualTo("demo");
              assertThat(e.producer()).isEqualTo("cni-service");
            });
    assertThat(clusters.caSecrets.get(ref("demo", "east"))).isEqualTo(meshCa.cas.get("demo"));
    assertThat(clusters.applied.get(ref("demo", "east")).config())
        .containsEntry("cluster-name", "east")
        .containsEntry("cluster-id", "1")
        .containsEntry("cluster-pool-ipv4-cidr", east.podCidr());
    assertThat(publisher.published)
        .filteredOn(e -> e.payload() instanceof ProgressReported)
        .isNotEmpty()
        .allSatisfy(e -> assertThat(((ProgressReported) e.payload()).stage()).isEqualTo(Stage.CNI));
    assertThat(publisher.published.get(0).payload()).isInstanceOf(ProgressReported.class);
  }

  @Test
  void answersTheSameClusterUpTwiceWithOneInstallAndOneCiliumReady() {
    EventEnvelope in = clusterUp("demo", Samples.cluster("east", 1, 2));
    ClusterUpHandler handler = handler();

    handler.handle(in);
    handler.handle(in);

    assertThat(clusters.applies).containsExactly(ref("demo", "east"));
    assertThat(outcomes())
        .singleElement()
        .satisfies(e -> assertThat(e.payload()).isInstanceOf(CiliumReady.class));
    assertThat(meshCa.generated).isEqualTo(1);
  }

  @Test
  void convergesOnTheSameStateForANewEventAboutAnInstalledCluster() {
    ClusterSpec east = Samples.cluster("east", 1, 2);
    handler().handle(clusterUp("demo", east));
    var firstManifest = clusters.applied.get(ref("demo", "east"));
    var firstCa = clusters.caSecrets.get(ref("demo", "east"));

    handler().handle(clusterUp("demo", east));

    assertThat(clusters.applied.get(ref("demo", "east"))).isEqualTo(firstManifest);
    assertThat(clusters.caSecrets.get(ref("demo", "east"))).isEqualTo(firstCa);
    assertThat(meshCa.generated).isEqualTo(1);
    assertThat(outcomes())
        .hasSize(2)
        .allSatisfy(e -> assertThat(e.payload()).isInstanceOf(CiliumReady.class));
  }

  @Test
  void sharesOneCaAcrossTheClustersOfAMeshAndNotAcrossMeshes() {
    handler().handle(clusterUp("demo", Samples.cluster("east", 1, 1)));
    handler().handle(clusterUp("demo", Samples.cluster("west", 2, 1)));
    handler().handle(clusterUp("other", Samples.cluster("east", 1, 1)));

    assertThat(clusters.caSecrets.get(ref("demo", "east")))
        .isEqualTo(clusters.caSecrets.get(ref("demo", "west")))
        .isNotEqualTo(clusters.caSecrets.get(ref("other", "east")));
  }

  @Test
  void turnsAnotherCaInTheClusterIntoATerminalClusterFailedWithoutInstalling() {
    clusters.caSecrets.put(ref("demo", "east"), Fakes.ca("someone-elses-ca"));
    EventEnvelope in = clusterUp("demo", Samples.cluster("east", 1, 2));
    InboundDispatcher dispatcher =
        new InboundDispatcher(new EventCodec(), handled, workers, publisher, "cni-service");
    AtomicBoolean acked = new AtomicBoolean();

    dispatcher.dispatch(
        new ConsumerRecord<>(Topics.RKE, 0, 0L, "demo", new EventCodec().encode(in)),
        () -> acked.set(true),
        List.of(new EventRoute(EventType.CLUSTER_UP, Stage.CNI, handler()::handle)));

    await().atMost(Duration.ofSeconds(10)).untilTrue(acked);
    assertThat(outcomes())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.causationId()).isEqualTo(in.eventId());
              ClusterFailed failed = (ClusterFailed) e.payload();
              assertThat(failed.stage()).isEqualTo(Stage.CNI);
              assertThat(failed.code()).isEqualTo("CA_MISMATCH");
              assertThat(failed.retryable()).isFalse();
              assertThat(failed.reason())
                  .contains("kube-system/cilium-ca", "east", "meshes/demo/cilium-ca")
                  .doesNotContain("PRIVATE KEY");
            });
    assertThat(clusters.applies).isEmpty();
    assertThat(clusters.caSecrets.get(ref("demo", "east"))).isEqualTo(Fakes.ca("someone-elses-ca"));
  }

  @Test
  void givesUpRetryablyWhenCiliumDoesNotBecomeReadyInTime() {
    clusters.pollsBeforeReady = Integer.MAX_VALUE;
    EventEnvelope in = clusterUp("demo", Samples.cluster("east", 1, 2));

    assertThatThrownBy(() -> handler(Duration.ofMillis(100)).handle(in))
        .isInstanceOfSatisfying(
            StepFailure.class,
            f -> {
              assertThat(f.code()).isEqualTo("CILIUM_NOT_READY");
              assertThat(f.retryable()).isTrue();
            })
        .hasMessageContaining("mesh.cilium.ready-timeout")
        .hasMessageContaining("0/2 agents ready");
    assertThat(outcomes()).isEmpty();
  }

  @Test
  void rejectsASpecCiliumCannotRunBeforeTouchingTheCluster() {
    ClusterSpec s = Samples.cluster("east", 1, 2);
    ClusterSpec tooSmall =
        new ClusterSpec(
            s.name(), s.id(), 2, "10.1.0.0/24", s.serviceCidr(), s.lbAddressPool(), s.machine());

    assertThatThrownBy(() -> handler().handle(clusterUp("demo", tooSmall)))
        .isInstanceOfSatisfying(
            StepFailure.class,
            f -> {
              assertThat(f.code()).isEqualTo("CILIUM_VALUES_INVALID");
              assertThat(f.retryable()).isFalse();
            })
        .hasMessageContaining("cluster.podCidr");
    assertThat(clusters.applies).isEmpty();
    assertThat(meshCa.generated).isZero();
  }
}
