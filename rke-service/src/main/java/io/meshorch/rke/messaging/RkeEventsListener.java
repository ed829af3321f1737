package io.meshorch.rke.messaging;

import io.meshorch.contracts.Topics;
import io.meshorch.kit.config.MeshKitAutoConfiguration;
import io.meshorch.kit.messaging.InboundDispatcher;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * Consumes infra-service's events and hands each record to the kit, which starts the steps of the
 * routes in {@link RkeRoutes} (VmsReady; other types are skipped) and returns without waiting. It
 * also reads {@code mesh.requests}: the kit stops the Kubernetes steps of a cluster whose deletion
 * is requested, before its VMs go.
 */
@Component
public class RkeEventsListener {
  private final InboundDispatcher inbound;

  public RkeEventsListener(InboundDispatcher inbound) {
    this.inbound = inbound;
  }

  @KafkaListener(
      id = "rke-service",
      topics = {Topics.REQUESTS, Topics.INFRA},
      containerFactory = MeshKitAutoConfiguration.CONTAINER_FACTORY)
  void on(ConsumerRecord<String, byte[]> record) {
    inbound.dispatch(record);
  }
}
