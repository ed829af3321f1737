package io.meshorch.lb.messaging;

import io.meshorch.contracts.Topics;
import io.meshorch.kit.config.MeshKitAutoConfiguration;
import io.meshorch.kit.messaging.InboundDispatcher;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * Consumes {@code mesh.cni.events} and hands each record to the kit's dispatcher, which starts the
 * step {@link LbServiceRoutes} names for its type and returns without waiting for it. It also reads
 * {@code mesh.requests}: the kit stops the load-balancer step of a cluster whose deletion is
 * requested.
 */
@Component
public class LbEventsListener {
  private final InboundDispatcher inbound;

  public LbEventsListener(InboundDispatcher inbound) {
    this.inbound = inbound;
  }

  /** Dispatches one record; its offset is committed with its poll batch. */
  @KafkaListener(
      id = "lb-service",
      topics = {Topics.REQUESTS, Topics.CNI},
      containerFactory = MeshKitAutoConfiguration.CONTAINER_FACTORY)
  public void on(ConsumerRecord<String, byte[]> record) {
    inbound.dispatch(record);
  }
}
