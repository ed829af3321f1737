package io.meshorch.kit.messaging;

import io.meshorch.contracts.ClusterUp;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.EventType;
import io.meshorch.contracts.MeshRejected;
import io.meshorch.contracts.Topics;
import io.meshorch.contracts.Violation;
import io.meshorch.contracts.VmsReady;
import io.meshorch.kit.config.MeshKitAutoConfiguration;
import io.meshorch.kit.failure.TerminalFailure;
import io.meshorch.kit.step.Next;
import io.meshorch.kit.step.Plan;
import io.meshorch.kit.step.Step;
import io.meshorch.kit.step.StepContext;
import io.meshorch.kit.step.StepRoute;
import io.meshorch.kit.step.Wait;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * A minimal service on the kit: turns VmsReady into ClusterUp. The cluster name picks a behaviour:
 * {@code doomed} fails terminally, {@code slow-*} waits until its gate is opened, {@code
 * crash-plan} breaks while planning, {@code bloated} answers with an outcome too large to publish,
 * {@code stuck-plan} holds the consumer until released. The route builds clusters: a deletion
 * request read on {@code mesh.requests} stops it.
 */
@SpringBootApplication
class KitTestApplication {
  static final AtomicInteger PLANNED = new AtomicInteger();
  static final Map<String, Boolean> GATES = new ConcurrentHashMap<>();
  static final Map<String, AtomicInteger> ADVANCES = new ConcurrentHashMap<>();
  static final CountDownLatch STUCK = new CountDownLatch(1);

  static final Wait GATE =
      Wait.of("the gate", Duration.ofMinutes(5), "GATE_TIMEOUT", "test.gate-timeout");

  @Bean
  StepRoute vmsReadyRoute() {
    return new StepRoute() {
      @Override
      public EventType type() {
        return EventType.VMS_READY;
      }

      @Override
      public String stage() {
        return "kubernetes";
      }

      @Override
      public boolean builds() {
        return true;
      }

      @Override
      public Plan plan(EventEnvelope event) {
        PLANNED.incrementAndGet();
        if ("crash-plan".equals(event.cluster())) {
          throw new IllegalStateException("the handler broke");
        }
        if ("stuck-plan".equals(event.cluster())) {
          awaitRelease();
        }
        return Plan.step(event, () -> new UpStep(event));
      }
    };
  }

  /** Readers of the requests answer an unreadable one with a rejection naming the record. */
  @Bean
  UnreadableRecordAnswer unreadableRecordAnswer() {
    return (topic, meshId, reason) ->
        Optional.of(new MeshRejected(List.of(new Violation("record", reason))));
  }

  private static void awaitRelease() {
    try {
      STUCK.await(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static final class UpStep implements Step {
    private final EventEnvelope event;

    UpStep(EventEnvelope event) {
      this.event = event;
    }

    @Override
    public Next advance(StepContext ctx) {
      String cluster = event.cluster();
      ADVANCES.computeIfAbsent(cluster, c -> new AtomicInteger()).incrementAndGet();
      if ("doomed".equals(cluster)) {
        throw new TerminalFailure("RKE_CONFIG_INVALID", "cluster.yml is invalid");
      }
      if (cluster.startsWith("slow") && !GATES.getOrDefault(cluster, false)) {
        return Next.waitFor(GATE, "gate of " + cluster + " closed");
      }
      VmsReady in = (VmsReady) event.payload();
      String url =
          "bloated".equals(cluster) ? "https://" + "x".repeat(2_000_000) : "https://127.0.0.1:6443";
      return Next.done(new ClusterUp(in.cluster(), in.nodes(), url, "k/ref"));
    }
  }

  @Component
  static class TestEventsListener {
    private final InboundDispatcher inbound;

    TestEventsListener(InboundDispatcher inbound) {
      this.inbound = inbound;
    }

    @KafkaListener(
        id = "test-service",
        topics = {Topics.REQUESTS, Topics.INFRA},
        containerFactory = MeshKitAutoConfiguration.CONTAINER_FACTORY)
    void on(ConsumerRecord<String, byte[]> record) {
      inbound.dispatch(record);
    }
  }
}
