package io.meshorch.cni.messaging;

import io.meshorch.contracts.Topics;
import io.meshorch.kit.config.MeshKitAutoConfiguration;
import io.meshorch.kit.messaging.InboundDispatcher;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * Consumes {@code mesh.rke.events} and hands each record to the kit's dispatcher, which starts the
 * steps of {@link CniRoutes} and returns without waiting for them. It also reads {@code
 * mesh.requests}: the kit stops the Cilium step of a cluster whose deletion is requested.
 */
@Component
public class CniEventsListener {
  private final InboundDispatcher inbound;

  public CniEventsListener(InboundDispatcher inbound) {
    this.inbound = inbound;
  }

  /** Plans one record; its offset is committed with its batch once its step is recorded. */
  @KafkaListener(
      id = "cni-service",
      topics = {Topics.REQUESTS, Topics.RKE},
      containerFactory = MeshKitAutoConfiguration.CONTAINER_FACTORY)
  public void on(ConsumerRecord<String, byte[]> record) {
    inbound.dispatch(record);
  }
}
