package io.meshorch.kit.messaging;

import io.meshorch.contracts.ClusterUp;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.EventType;
import io.meshorch.contracts.Topics;
import io.meshorch.contracts.VmsReady;
import io.meshorch.kit.config.MeshKitAutoConfiguration;
import io.meshorch.kit.failure.TerminalFailure;
import io.meshorch.kit.port.EventPublisherPort;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.support.Acknowledgment;
import org.springframework.stereotype.Component;

/** A minimal service on the kit: turns VmsReady into ClusterUp, failing for cluster "doomed". */
@SpringBootApplication
class KitTestApplication {
  static final AtomicInteger HANDLED = new AtomicInteger();

  @Bean
  EventRoute vmsReadyRoute(EventPublisherPort publisher) {
    return new EventRoute(
        EventType.VMS_READY,
        "kubernetes",
        event -> {
          HANDLED.incrementAndGet();
          if ("doomed".equals(event.cluster())) {
            throw new TerminalFailure("RKE_CONFIG_INVALID", "cluster.yml is invalid");
          }
          VmsReady in = (VmsReady) event.payload();
          publisher.publish(
              EventEnvelope.create(
                  event.meshId(),
                  event.cluster(),
                  event.eventId(),
                  "test-service",
                  new ClusterUp(in.cluster(), in.nodes(), "https://127.0.0.1:6443", "k/ref")));
        });
  }

  @Component
  static class TestEventsListener {
    private final InboundDispatcher inbound;
    private final List<EventRoute> routes;

    TestEventsListener(InboundDispatcher inbound, List<EventRoute> routes) {
      this.inbound = inbound;
      this.routes = routes;
    }

    @KafkaListener(
        id = "test-service",
        topics = Topics.INFRA,
        containerFactory = MeshKitAutoConfiguration.CONTAINER_FACTORY)
    void on(ConsumerRecord<String, byte[]> record, Acknowledgment ack) {
      inbound.dispatch(record, ack, routes);
    }
  }
}
