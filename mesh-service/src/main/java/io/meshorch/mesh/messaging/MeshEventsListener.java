package io.meshorch.mesh.messaging;

import io.meshorch.contracts.Topics;
import io.meshorch.kit.config.MeshKitAutoConfiguration;
import io.meshorch.kit.messaging.InboundDispatcher;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * Consumes the requests and every service's events and hands each record to the kit's dispatcher,
 * which plans it with {@link MeshRoutes} and returns without waiting for the mesh's step.
 */
@Component
public class MeshEventsListener {
  private final InboundDispatcher inbound;

  public MeshEventsListener(InboundDispatcher inbound) {
    this.inbound = inbound;
  }

  /** Plans one record; its offset is committed with its batch once its step is recorded. */
  @KafkaListener(
      id = "mesh-service",
      topics = {Topics.REQUESTS, Topics.INFRA, Topics.RKE, Topics.CNI, Topics.LB},
      containerFactory = MeshKitAutoConfiguration.CONTAINER_FACTORY)
  public void on(ConsumerRecord<String, byte[]> record) {
    inbound.dispatch(record);
  }
}
