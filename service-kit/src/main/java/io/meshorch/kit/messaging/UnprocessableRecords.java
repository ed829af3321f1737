package io.meshorch.kit.messaging;

import io.meshorch.contracts.EventCodec;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.MeshEvent;
import io.meshorch.kit.port.EventPublisherPort;
import io.meshorch.kit.step.StepRoutes;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.listener.ConsumerRecordRecoverer;

/**
 * The end of a record the service could not process after the container's bounded retries: it goes
 * to {@code <topic>.dlt} (with the reason in the standard {@code kafka_dlt-exception-*} headers),
 * and the mesh gets an answer that fits in a record: the route's failure event for a readable event
 * ({@code RECORD_UNPROCESSABLE}), the service's {@link UnreadableRecordAnswer} for an unreadable
 * record. Either way the consumer moves on.
 */
public final class UnprocessableRecords implements ConsumerRecordRecoverer {
  /** Failure code of an event that could not be processed. */
  public static final String CODE = "RECORD_UNPROCESSABLE";

  private static final Logger log = LoggerFactory.getLogger(UnprocessableRecords.class);
  private static final int MAX_REASON = 500;

  private final ConsumerRecordRecoverer deadLetters;
  private final EventCodec codec;
  private final StepRoutes routes;
  private final EventPublisherPort publisher;
  private final UnreadableRecordAnswer unreadable;
  private final ConsumerProgress progress;
  private final String producer;

  public UnprocessableRecords(
      ConsumerRecordRecoverer deadLetters,
      EventCodec codec,
      StepRoutes routes,
      EventPublisherPort publisher,
      UnreadableRecordAnswer unreadable,
      ConsumerProgress progress,
      String producer) {
    this.deadLetters = deadLetters;
    this.codec = codec;
    this.routes = routes;
    this.publisher = publisher;
    this.unreadable = unreadable;
    this.progress = progress;
    this.producer = producer;
  }

  @Override
  public void accept(ConsumerRecord<?, ?> record, Exception exception) {
    String reason = reason(exception);
    log.error(
        "giving up on {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), reason);
    deadLetters.accept(record, exception);
    try {
      answer(record, reason);
    } catch (RuntimeException e) {
      log.error("could not answer the mesh of the unprocessable record: {}", e.getMessage());
    }
    progress.progressed();
  }

  private void answer(ConsumerRecord<?, ?> record, String reason) {
    Optional<EventEnvelope> event = readable(record.value());
    if (event.isPresent()) {
      EventEnvelope e = event.get();
      routes
          .find(e.eventType())
          .ifPresent(
              route ->
                  publish(
                      e.meshId(),
                      e.cluster(),
                      e,
                      route.failure(e, e.cluster(), CODE, reason, false)));
      return;
    }
    if (record.key() instanceof String meshId && !meshId.isBlank()) {
      unreadable
          .answer(record.topic(), meshId, reason)
          .ifPresent(answer -> publish(meshId, null, null, answer));
    }
  }

  private void publish(String meshId, String cluster, EventEnvelope cause, MeshEvent answer) {
    publisher.publish(
        EventEnvelope.create(
            meshId, cluster, cause == null ? null : cause.eventId(), producer, answer));
  }

  private Optional<EventEnvelope> readable(Object value) {
    if (!(value instanceof byte[] bytes)) {
      return Optional.empty();
    }
    try {
      return Optional.of(codec.decode(bytes));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  /** The messages of the exception and its causes, without the container's wrappers. */
  public static String reason(Throwable exception) {
    Set<String> parts = new LinkedHashSet<>();
    for (Throwable t = exception; t != null && parts.size() < 4; t = t.getCause()) {
      if (t instanceof org.springframework.kafka.listener.ListenerExecutionFailedException) {
        continue;
      }
      String message = t.getMessage();
      parts.add(message == null || message.isBlank() ? t.getClass().getSimpleName() : message);
    }
    String text = String.join(": ", parts);
    return text.length() <= MAX_REASON ? text : text.substring(0, MAX_REASON) + "…";
  }
}
