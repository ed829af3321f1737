package io.meshorch.infra.application;

import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.MeshEvent;
import io.meshorch.kit.dedupe.HandledEvents;
import io.meshorch.kit.port.EventPublisherPort;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records published events and marks them handled, as the kit's Kafka publisher does. */
final class RecordingPublisher implements EventPublisherPort {
  final List<EventEnvelope> events = new CopyOnWriteArrayList<>();
  final HandledEvents handled = new HandledEvents();

  @Override
  public void publish(EventEnvelope event) {
    events.add(event);
    handled.record(event);
  }

  <T extends MeshEvent> List<EventEnvelope> of(Class<T> type) {
    return events.stream().filter(e -> type.isInstance(e.payload())).toList();
  }
}
