package io.meshorch.mesh.application;

import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.MeshEvent;
import io.meshorch.kit.port.EventPublisherPort;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Keeps what was published, in order. */
final class RecordingPublisher implements EventPublisherPort {
  private final List<EventEnvelope> events = new CopyOnWriteArrayList<>();

  @Override
  public void publish(EventEnvelope event) {
    events.add(event);
  }

  List<EventEnvelope> events() {
    return List.copyOf(events);
  }

  <T extends MeshEvent> List<EventEnvelope> of(Class<T> type) {
    return events.stream().filter(e -> type.isInstance(e.payload())).toList();
  }
}
