package io.meshorch.contracts;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * JSON encoding of {@link EventEnvelope}s. The payload class is chosen from the envelope's logical
 * {@code type} through {@link EventType} only, never from a class name on the wire. Unknown fields
 * are ignored, so producers may add optional fields without breaking consumers.
 */
public final class EventCodec {
  private final JsonMapper mapper;

  public EventCodec() {
    this.mapper =
        JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .changeDefaultPropertyInclusion(
                incl -> incl.withValueInclusion(JsonInclude.Include.NON_NULL))
            .build();
  }

  /** The envelope as UTF-8 JSON. */
  public byte[] encode(EventEnvelope envelope) {
    return mapper.writeValueAsBytes(envelope);
  }

  /**
   * The number of bytes of {@code payload} encoded as JSON the way {@link #encode} writes it inside
   * an envelope, counted without keeping the bytes. Lets a size limit be checked the same way by
   * every producer and consumer (e.g. {@code MeshRequestValidator}'s request size).
   */
  public long encodedSize(MeshEvent payload) {
    CountingOutputStream counter = new CountingOutputStream();
    mapper.writeValue(counter, payload);
    return counter.count;
  }

  /** The envelope as a JSON string (for tools and dashboards). */
  public String encodeToString(EventEnvelope envelope) {
    return new String(encode(envelope), StandardCharsets.UTF_8);
  }

  /**
   * Decodes an envelope.
   *
   * @throws UnknownEventTypeException when the type is not registered (skip the record)
   * @throws MalformedEventException when the bytes are not a valid envelope (dead-letter it)
   */
  public EventEnvelope decode(byte[] json) {
    JsonNode tree;
    try {
      tree = mapper.readTree(json);
    } catch (JacksonException e) {
      throw new MalformedEventException("not JSON: " + e.getOriginalMessage(), e);
    }
    if (!(tree instanceof ObjectNode envelope) || !envelope.path("type").isString()) {
      throw new MalformedEventException("an envelope is a JSON object with a string 'type'", null);
    }
    String wireName = envelope.get("type").asString();
    EventType type =
        EventType.fromWireName(wireName).orElseThrow(() -> new UnknownEventTypeException(wireName));
    try {
      MeshEvent payload = mapper.treeToValue(envelope.path("payload"), type.payloadClass());
      ObjectNode head = envelope.deepCopy();
      head.remove("payload");
      Head h = mapper.treeToValue(head, Head.class);
      return new EventEnvelope(
          h.eventId(),
          wireName,
          h.meshId(),
          h.cluster(),
          h.causationId(),
          h.occurredAt(),
          h.producer(),
          payload);
    } catch (JacksonException | IllegalArgumentException | NullPointerException e) {
      throw new MalformedEventException("invalid " + wireName + ": " + e.getMessage(), e);
    }
  }

  /** Counts what is written to it and drops it. */
  private static final class CountingOutputStream extends OutputStream {
    private long count;

    @Override
    public void write(int b) {
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      count += len;
    }
  }

  /** The envelope fields without the payload, read before the payload type is known. */
  private record Head(
      java.util.UUID eventId,
      String meshId,
      String cluster,
      java.util.UUID causationId,
      java.time.Instant occurredAt,
      String producer) {}
}
