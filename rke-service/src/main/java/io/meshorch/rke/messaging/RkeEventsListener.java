package io.meshorch.rke.messaging;

import io.meshorch.contracts.Topics;
import io.meshorch.kit.config.MeshKitAutoConfiguration;
import io.meshorch.kit.messaging.EventRoute;
import io.meshorch.kit.messaging.InboundDispatcher;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.support.Acknowledgment;
import org.springframework.stereotype.Component;

/** Consumes infra-service's events and hands them to the kit's dispatcher (VmsReady is routed). */
@Component
public class RkeEventsListener {
  private final InboundDispatcher inbound;
  private final List<EventRoute> routes;

  public RkeEventsListener(InboundDispatcher inbound, List<EventRoute> routes) {
    this.inbound = inbound;
    this.routes = routes;
  }

  @KafkaListener(
      id = "rke-service",
      topics = Topics.INFRA,
      containerFactory = MeshKitAutoConfiguration.CONTAINER_FACTORY)
  void on(ConsumerRecord<String, byte[]> record, Acknowledgment ack) {
    inbound.dispatch(record, ack, routes);
  }
}
