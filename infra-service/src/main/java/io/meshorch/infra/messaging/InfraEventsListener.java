package io.meshorch.infra.messaging;

import io.meshorch.contracts.Topics;
import io.meshorch.kit.config.MeshKitAutoConfiguration;
import io.meshorch.kit.messaging.InboundDispatcher;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * Consumes mesh requests and LB IP assignments and hands them to the kit's dispatcher, which plans
 * them with the routes of {@link InfraRoutes} and never waits for a step.
 */
@Component
public class InfraEventsListener {
  private final InboundDispatcher inbound;

  public InfraEventsListener(InboundDispatcher inbound) {
    this.inbound = inbound;
  }

  @KafkaListener(
      id = "infra-service",
      topics = {Topics.REQUESTS, Topics.LB},
      containerFactory = MeshKitAutoConfiguration.CONTAINER_FACTORY)
  void on(ConsumerRecord<String, byte[]> record) {
    inbound.dispatch(record);
  }
}
