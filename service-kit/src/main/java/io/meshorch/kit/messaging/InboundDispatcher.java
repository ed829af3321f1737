package io.meshorch.kit.messaging;

import io.meshorch.contracts.ClusterFailed;
import io.meshorch.contracts.EventCodec;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.UnknownEventTypeException;
import io.meshorch.kit.dedupe.HandledEvents;
import io.meshorch.kit.failure.StepFailure;
import io.meshorch.kit.port.EventPublisherPort;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.kafka.support.Acknowledgment;

/**
 * Turns a Kafka record into a handler call: decodes the envelope, skips types this service does not
 * route and events already handled, and runs the handler on a worker thread so that long steps of
 * several clusters proceed in parallel and never block the consumer. The record is acknowledged
 * only when the handler finished and its outcome was published; the listener container commits such
 * out-of-order acknowledgements in offset order, so a crash redelivers every unfinished event.
 *
 * <p>A record that is not a valid envelope throws from {@link #dispatch} and goes to the
 * dead-letter topic; an unknown type is logged and skipped.
 */
public final class InboundDispatcher {
  private static final Logger log = LoggerFactory.getLogger(InboundDispatcher.class);

  private final EventCodec codec;
  private final HandledEvents handled;
  private final ExecutorService workers;
  private final EventPublisherPort publisher;
  private final String producer;
  private final Set<InFlight> inFlight = ConcurrentHashMap.newKeySet();

  public InboundDispatcher(
      EventCodec codec,
      HandledEvents handled,
      ExecutorService workers,
      EventPublisherPort publisher,
      String producer) {
    this.codec = codec;
    this.handled = handled;
    this.workers = workers;
    this.publisher = publisher;
    this.producer = producer;
  }

  /** Dispatches {@code record} to the route of its type, acknowledging when done. */
  public void dispatch(
      ConsumerRecord<String, byte[]> record, Acknowledgment ack, List<EventRoute> routes) {
    EventEnvelope event;
    try {
      event = codec.decode(record.value());
    } catch (UnknownEventTypeException e) {
      log.info(
          "skipping {}-{}@{}: {}",
          record.topic(),
          record.partition(),
          record.offset(),
          e.getMessage());
      ack.acknowledge();
      return;
    }
    Optional<EventRoute> route =
        routes.stream().filter(r -> r.type() == event.eventType()).findFirst();
    InFlight key = new InFlight(event.eventId(), event.cluster());
    if (route.isEmpty()
        || handled.contains(event.eventId(), event.cluster())
        || !inFlight.add(key)) {
      if (route.isPresent()) {
        log.info("skipping {} {}: already handled or in progress", event.type(), event.eventId());
      }
      ack.acknowledge();
      return;
    }
    workers.execute(
        () -> {
          try {
            withMdc(event, () -> run(route.get(), event));
          } finally {
            inFlight.remove(key);
            ack.acknowledge();
          }
        });
  }

  private void run(EventRoute route, EventEnvelope event) {
    try {
      route.handler().handle(event);
    } catch (StepFailure e) {
      giveUp(route, event, e.code(), e.getMessage(), e.retryable(), e);
    } catch (RuntimeException e) {
      giveUp(
          route,
          event,
          "INTERNAL_ERROR",
          e.getClass().getSimpleName() + ": " + e.getMessage(),
          true,
          e);
    }
  }

  private void giveUp(
      EventRoute route,
      EventEnvelope event,
      String code,
      String reason,
      boolean retryable,
      Exception cause) {
    log.error("{} gave up on {} ({}): {}", route.stage(), event.type(), code, reason, cause);
    if (event.cluster() == null) {
      // Handlers of mesh-level events report failures per cluster themselves; there is no
      // cluster to blame here, so the error log is the record.
      return;
    }
    try {
      publisher.publish(
          EventEnvelope.create(
              event.meshId(),
              event.cluster(),
              event.eventId(),
              producer,
              new ClusterFailed(route.stage(), code, reason, retryable)));
    } catch (StepFailure e) {
      log.error("could not publish ClusterFailed for {}: {}", event.eventId(), e.getMessage());
    }
  }

  private static void withMdc(EventEnvelope event, Runnable body) {
    MDC.put("meshId", event.meshId());
    MDC.put("eventId", event.eventId().toString());
    MDC.put("eventType", event.type());
    if (event.cluster() != null) {
      MDC.put("cluster", event.cluster());
    }
    try {
      body.run();
    } finally {
      MDC.clear();
    }
  }

  private record InFlight(UUID eventId, String cluster) {
    InFlight {
      Objects.requireNonNull(eventId);
    }
  }
}
