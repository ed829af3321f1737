package io.meshorch.cni.messaging;

import io.meshorch.contracts.Topics;
import io.meshorch.kit.config.MeshKitAutoConfiguration;
import io.meshorch.kit.messaging.EventRoute;
import io.meshorch.kit.messaging.InboundDispatcher;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.support.Acknowledgment;
import org.springframework.stereotype.Component;

/** Consumes {@code mesh.rke.events} and hands each record to the kit's dispatcher. */
@Component
public class CniEventsListener {
  private final InboundDispatcher inbound;
  private final List<EventRoute> routes;

  public CniEventsListener(InboundDispatcher inbound, List<EventRoute> routes) {
    this.inbound = inbound;
    this.routes = routes;
  }

  /** Routes one record; acknowledged by the dispatcher once handled. */
  @KafkaListener(
      id = "cni-service",
      topics = Topics.RKE,
      containerFactory = MeshKitAutoConfiguration.CONTAINER_FACTORY)
  public void on(ConsumerRecord<String, byte[]> record, Acknowledgment ack) {
    inbound.dispatch(record, ack, routes);
  }
}
