package io.meshorch.contracts;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * The one envelope every event travels in. Serialized as JSON with the payload under {@code
 * payload}; the Kafka key is {@link #meshId()}.
 *
 * @param eventId unique ID of this event; consumers deduplicate on it
 * @param type logical wire type, e.g. {@code mesh.VmsReady.v1} (see {@link EventType})
 * @param meshId the mesh this event is about; also the Kafka record key
 * @param cluster the cluster this event is about, or null for mesh-level events
 * @param causationId the {@code eventId} of the event that caused this one, or null for a user
 *     request
 * @param occurredAt when the fact happened, UTC
 * @param producer the service (or client) that published it, e.g. {@code infra-service}
 * @param payload the event itself
 */
public record EventEnvelope(
    UUID eventId,
    String type,
    String meshId,
    String cluster,
    UUID causationId,
    Instant occurredAt,
    String producer,
    MeshEvent payload) {

  /** Checks the invariants every consumer relies on. */
  public EventEnvelope {
    Objects.requireNonNull(eventId, "eventId");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(meshId, "meshId");
    Objects.requireNonNull(occurredAt, "occurredAt");
    Objects.requireNonNull(producer, "producer");
    Objects.requireNonNull(payload, "payload");
    if (!EventType.of(payload).wireName().equals(type)) {
      throw new IllegalArgumentException(
          "type " + type + " does not match payload " + payload.getClass().getSimpleName());
    }
  }

  /** A new event with a fresh ID, stamped now. */
  public static EventEnvelope create(
      String meshId, String cluster, UUID causationId, String producer, MeshEvent payload) {
    return new EventEnvelope(
        UUID.randomUUID(),
        EventType.of(payload).wireName(),
        meshId,
        cluster,
        causationId,
        Instant.now(),
        producer,
        payload);
  }

  /** The registered type of this envelope. */
  public EventType eventType() {
    return EventType.of(payload);
  }
}
