package io.meshorch.infra.messaging;

import io.meshorch.contracts.Topics;
import io.meshorch.kit.config.MeshKitAutoConfiguration;
import io.meshorch.kit.messaging.EventRoute;
import io.meshorch.kit.messaging.InboundDispatcher;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.support.Acknowledgment;
import org.springframework.stereotype.Component;

/** Consumes mesh requests and LB IP assignments and hands them to the kit's dispatcher. */
@Component
public class InfraEventsListener {
  private final InboundDispatcher inbound;
  private final List<EventRoute> routes;

  public InfraEventsListener(InboundDispatcher inbound, List<EventRoute> routes) {
    this.inbound = inbound;
    this.routes = routes;
  }

  @KafkaListener(
      id = "infra-service",
      topics = {Topics.REQUESTS, Topics.LB},
      containerFactory = MeshKitAutoConfiguration.CONTAINER_FACTORY)
  void on(ConsumerRecord<String, byte[]> record, Acknowledgment ack) {
    inbound.dispatch(record, ack, routes);
  }
}
