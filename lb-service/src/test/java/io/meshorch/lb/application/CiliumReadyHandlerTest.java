package io.meshorch.lb.application;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.meshorch.contracts.CiliumReady;
import io.meshorch.contracts.ClusterFailed;
import io.meshorch.contracts.ClusterSpec;
import io.meshorch.contracts.EventCodec;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.EventType;
import io.meshorch.contracts.LbIpAssigned;
import io.meshorch.contracts.ProgressReported;
import io.meshorch.contracts.Stage;
import io.meshorch.contracts.Topics;
import io.meshorch.kit.dedupe.HandledEvents;
import io.meshorch.kit.failure.StepFailure;
import io.meshorch.kit.messaging.EventRoute;
import io.meshorch.kit.messaging.InboundDispatcher;
import io.meshorch.lb.application.Fakes.FakeMeshEndpoint;
import io.meshorch.lb.application.Fakes.FakeMetalLb;
import io.meshorch.lb.application.Fakes.RecordingPublisher;
import io.meshorch.lb.domain.MeshEndpointService;
import io.meshorch.lb.domain.MetalLbRelease;
import io.meshorch.testkit.Samples;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CiliumReadyHandlerTest {
  private static final String REF = "meshes/demo/clusters/east/kubeconfig";

  private final HandledEvents handled = new HandledEvents();
  private final RecordingPublisher publisher = new RecordingPublisher(handled);
  private final FakeMetalLb metalLb = new FakeMetalLb();
  private final FakeMeshEndpoint endpoints = new FakeMeshEndpoint();
  private final ExecutorService workers = Executors.newSingleThreadExecutor();

  @AfterEach
  void stopWorkers() {
    workers.shutdownNow();
  }

  private CiliumReadyHandler handler(boolean pin, Duration ipTimeout) {
    return new CiliumReadyHandler(
        metalLb,
        endpoints,
        publisher,
        handled,
        new LbStepSettings(
            "lb-service",
            new MetalLbRelease("0.14.9"),
            pin,
            Duration.ofSeconds(5),
            ipTimeout,
            Duration.ofMillis(5)));
  }

  private CiliumReadyHandler handler() {
    return handler(false, Duration.ofSeconds(5));
  }

  private static EventEnvelope ciliumReady(ClusterSpec spec) {
    return EventEnvelope.create(
        "demo",
        spec.name(),
        UUID.randomUUID(),
        "cni-service",
        new CiliumReady(spec, Samples.nodes("demo", spec), REF, "1.18.2"));
  }

  private static EventEnvelope ciliumReady() {
    return ciliumReady(Samples.cluster("east", 1, 2));
  }

  private List<EventEnvelope> outcomes() {
    return publisher.published.stream()
        .filter(e -> e.eventType() != EventType.PROGRESS_REPORTED)
        .toList();
  }

  @Test
  void installsMetalLbConfiguresThePoolAndPublishesTheAssignedIp() {
    EventEnvelope in = ciliumReady();

    handler().handle(in);

    assertThat(metalLb.installs).containsExactly(new MetalLbRelease("0.14.9"));
    assertThat(metalLb.pools.get(REF)).containsExactly("192.168.51.10-192.168.51.19");
    assertThat(endpoints.services.get(REF).pinnedIp()).isEmpty();
    EventEnvelope out = outcomes().get(0);
    CiliumReady cause = (CiliumReady) in.payload();
    assertThat(out.payload())
        .isEqualTo(new LbIpAssigned(cause.cluster(), cause.nodes(), REF, "192.168.51.10", 2379));
    assertThat(out.causationId()).isEqualTo(in.eventId());
    assertThat(out.cluster()).isEqualTo("east");
    assertThat(out.producer()).isEqualTo("lb-service");
    assertThat(publisher.published)
        .filteredOn(e -> e.payload() instanceof ProgressReported)
        .extracting(e -> ((ProgressReported) e.payload()).stage())
        .isNotEmpty()
        .containsOnly(Stage.LOAD_BALANCER);
  }

  @Test
  void answersTheSameCiliumReadyTwiceWithOneInstallAndOneLbIpAssigned() {
    EventEnvelope in = ciliumReady();
    CiliumReadyHandler handler = handler();

    handler.handle(in);
    handler.handle(in);

    assertThat(metalLb.installs).hasSize(1);
    assertThat(endpoints.ensureCalls).isEqualTo(1);
    assertThat(outcomes())
        .singleElement()
        .satisfies(e -> assertThat(e.payload()).isInstanceOf(LbIpAssigned.class));
  }

  @Test
  void reEmitsWithoutReinstallingWhenTheServiceAlreadyHoldsAPoolIp() {
    endpoints.services.put(REF, new MeshEndpointService(Optional.empty()));
    endpoints.ips.put(REF, "192.168.51.12");

    handler().handle(ciliumReady());

    assertThat(metalLb.installs).isEmpty();
    assertThat(outcomes())
        .singleElement()
        .satisfies(
            e ->
                assertThat(((LbIpAssigned) e.payload()).meshEndpointIp())
                    .isEqualTo("192.168.51.12"));
  }

  @Test
  void pinsTheFirstPoolAddressWhenConfigured() {
    handler(true, Duration.ofSeconds(5)).handle(ciliumReady());

    assertThat(endpoints.services.get(REF).pinnedIp()).contains("192.168.51.10");
  }

  @Test
  void failsTerminallyWhenTheAssignedIpIsOutsideThePool() {
    endpoints.nextIp = "10.9.9.9";

    assertThatThrownBy(() -> handler().handle(ciliumReady()))
        .isInstanceOfSatisfying(
            StepFailure.class,
            f -> {
              assertThat(f.code()).isEqualTo("LB_IP_OUTSIDE_POOL");
              assertThat(f.retryable()).isFalse();
              assertThat(f.getMessage()).contains("10.9.9.9", "192.168.51.10-192.168.51.19");
            });
    assertThat(outcomes()).isEmpty();
  }

  @Test
  void failsTerminallyWhenMetalLbDropsThePool() {
    metalLb.admission = written -> List.of();

    assertThatThrownBy(() -> handler().handle(ciliumReady()))
        .isInstanceOfSatisfying(
            StepFailure.class, f -> assertThat(f.code()).isEqualTo("METALLB_POOL_NOT_ACCEPTED"));
    assertThat(endpoints.services).isEmpty();
  }

  @Test
  void failsRetryablyWhenNoIpComesInTime() {
    endpoints.nextIp = null;

    assertThatThrownBy(() -> handler(false, Duration.ofMillis(100)).handle(ciliumReady()))
        .isInstanceOfSatisfying(
            StepFailure.class,
            f -> {
              assertThat(f.code()).isEqualTo("LB_IP_TIMEOUT");
              assertThat(f.retryable()).isTrue();
              assertThat(f.getMessage()).contains("mesh.metallb.ip-timeout");
            });
  }

  @Test
  void rejectsAMalformedPoolBeforeTouchingTheCluster() {
    ClusterSpec s = Samples.cluster("east", 1, 1);
    ClusterSpec bad =
        new ClusterSpec(
            s.name(), s.id(), 1, s.podCidr(), s.serviceCidr(), "192.168.1.0/33", s.machine());

    assertThatThrownBy(() -> handler().handle(ciliumReady(bad)))
        .isInstanceOfSatisfying(
            StepFailure.class, f -> assertThat(f.code()).isEqualTo("LB_POOL_INVALID"));
    assertThat(metalLb.installs).isEmpty();
  }

  @Test
  void aFailedStepBecomesClusterFailedThroughTheKitDispatcher() {
    endpoints.nextIp = "10.9.9.9";
    EventEnvelope in = ciliumReady();
    InboundDispatcher dispatcher =
        new InboundDispatcher(new EventCodec(), handled, workers, publisher, "lb-service");
    AtomicBoolean acked = new AtomicBoolean();

    dispatcher.dispatch(
        new ConsumerRecord<>(Topics.CNI, 0, 0L, "demo", new EventCodec().encode(in)),
        () -> acked.set(true),
        List.of(new EventRoute(EventType.CILIUM_READY, Stage.LOAD_BALANCER, handler()::handle)));

    await().atMost(Duration.ofSeconds(10)).untilTrue(acked);
    assertThat(outcomes())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.causationId()).isEqualTo(in.eventId());
              assertThat(e.payload()).isInstanceOf(ClusterFailed.class);
              ClusterFailed failed = (ClusterFailed) e.payload();
              assertThat(failed.stage()).isEqualTo(Stage.LOAD_BALANCER);
              assertThat(failed.code()).isEqualTo("LB_IP_OUTSIDE_POOL");
              assertThat(failed.retryable()).isFalse();
            });
  }
}
