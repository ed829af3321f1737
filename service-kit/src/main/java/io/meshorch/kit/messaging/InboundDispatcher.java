package io.meshorch.kit.messaging;

import io.meshorch.contracts.EventCodec;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.StepStarted;
import io.meshorch.contracts.UnknownEventTypeException;
import io.meshorch.kit.metrics.MeshMetrics;
import io.meshorch.kit.port.EventPublisherPort;
import io.meshorch.kit.step.DeletionRequests;
import io.meshorch.kit.step.Plan;
import io.meshorch.kit.step.StepEngine;
import io.meshorch.kit.step.StepJournal;
import io.meshorch.kit.step.StepKey;
import io.meshorch.kit.step.StepRoute;
import io.meshorch.kit.step.StepRoutes;
import io.meshorch.kit.step.TriggerRef;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Turns a Kafka record into steps, on the consumer thread and without waiting for any step: decodes
 * the envelope, skips types this service does not route and events already answered, asks the
 * route's {@link StepRoute#plan plan}, publishes {@code StepStarted} for each new step (durably, on
 * the own topic) and hands the steps to the {@link StepEngine}. The record is then acknowledged
 * with its batch: a step outlives the record, and a restart resumes it from its {@code StepStarted}
 * ({@link StepResumer}).
 *
 * <p>Requests ({@code MeshRequested}, {@code MeshDeleteRequested}) are also recorded in the {@link
 * DeletionRequests}: a deletion cancels the running steps of building routes for its clusters at
 * once (a {@code down} stops the run in flight), and a building route's trigger for a cluster being
 * deleted starts nothing.
 *
 * <p>What cannot be processed throws: a record without value, over the size limit or not a valid
 * envelope at once; a failing plan or publish after the container's bounded retries. It then goes
 * to the dead-letter topic and the mesh gets an answer ({@link UnprocessableRecords}).
 */
public final class InboundDispatcher {
  private static final Logger log = LoggerFactory.getLogger(InboundDispatcher.class);

  private final EventCodec codec;
  private final StepRoutes routes;
  private final StepJournal journal;
  private final StepEngine engine;
  private final EventPublisherPort publisher;
  private final ConsumerProgress progress;
  private final String producer;
  private final int maxRecordBytes;
  private final MeshMetrics metrics;
  private final DeletionRequests deletions;

  /**
   * @param metrics counts the events read, by type
   * @param deletions where the requests read are kept
   */
  public InboundDispatcher(
      EventCodec codec,
      StepRoutes routes,
      StepJournal journal,
      StepEngine engine,
      EventPublisherPort publisher,
      ConsumerProgress progress,
      String producer,
      int maxRecordBytes,
      MeshMetrics metrics,
      DeletionRequests deletions) {
    this.codec = codec;
    this.routes = routes;
    this.journal = journal;
    this.engine = engine;
    this.publisher = publisher;
    this.progress = progress;
    this.producer = producer;
    this.maxRecordBytes = maxRecordBytes;
    this.metrics = metrics;
    this.deletions = deletions;
  }

  /** Handles one record; returns once its steps are recorded as started and running. */
  public void dispatch(ConsumerRecord<String, byte[]> record) {
    EventEnvelope event = decode(record);
    metrics.eventConsumed(event == null ? "unknown" : event.type());
    if (event != null) {
      MDC.put("meshId", event.meshId());
      MDC.put("eventId", event.eventId().toString());
      MDC.put("eventType", event.type());
      try {
        deletions.record(event).ifPresent(this::stop);
        routes.find(event.eventType()).ifPresent(route -> dispatch(record, event, route));
      } finally {
        MDC.clear();
      }
    }
    progress.progressed();
  }

  private EventEnvelope decode(ConsumerRecord<String, byte[]> record) {
    byte[] value = record.value();
    if (value == null) {
      throw new UnprocessableRecordException("the record has no value");
    }
    if (value.length > maxRecordBytes) {
      throw new UnprocessableRecordException(
          "the record is "
              + value.length
              + " bytes, more than mesh.service.max-record-bytes ("
              + maxRecordBytes
              + ")");
    }
    try {
      return codec.decode(value);
    } catch (UnknownEventTypeException e) {
      log.info("skipping {}: {}", where(record), e.getMessage());
      return null;
    }
  }

  /**
   * A deletion was requested: the run of its clusters stops here, unless a newer request builds
   * them again (an old deletion read again, e.g. by a fresh consumer group).
   */
  private void stop(DeletionRequests.Deletion deletion) {
    String meshId = deletion.meshId();
    String reason = DeletionRequests.reason(meshId);
    if (deletion.clusters() == null) {
      if (deletions.deleting(meshId, null)) {
        engine.cancelBuilding(meshId, null, reason);
      }
    } else {
      deletion.clusters().stream()
          .filter(c -> deletions.deleting(meshId, c))
          .forEach(c -> engine.cancelBuilding(meshId, c, reason));
    }
  }

  private void dispatch(
      ConsumerRecord<String, byte[]> record, EventEnvelope event, StepRoute route) {
    if (journal.finished(event.eventId(), event.cluster())) {
      log.info("skipping {} {}: already answered", event.type(), event.eventId());
      return;
    }

    Plan plan = route.plan(event);
    if (plan instanceof Plan.Answer answer) {
      publisher.publish(
          EventEnvelope.create(
              event.meshId(), event.cluster(), event.eventId(), producer, answer.outcome()));
    } else if (plan instanceof Plan.Steps steps) {
      TriggerRef source = new TriggerRef(record.topic(), record.partition(), record.offset());
      for (Plan.Planned planned : steps.steps()) {
        start(route, event, planned, source);
      }
    }
  }

  private void start(
      StepRoute route, EventEnvelope event, Plan.Planned planned, TriggerRef source) {
    StepKey key = planned.key();
    if (journal.finished(key) || engine.active(key)) {
      log.info("{} step {}: already answered or running", route.stage(), key);
      return;
    }
    if (route.builds() && deletions.stops(event.meshId(), key.cluster(), event.occurredAt())) {
      log.info(
          "{} step {}: not started, {} is being deleted or was deleted after {} {}",
          route.stage(),
          key,
          key.cluster() == null ? "mesh " + event.meshId() : "cluster " + key.cluster(),
          event.type(),
          event.eventId());
      return;
    }
    if (!journal.started(key)) {
      publisher.publish(
          EventEnvelope.create(
              event.meshId(),
              key.cluster(),
              key.causationId(),
              producer,
              new StepStarted(route.stage(), source.topic(), source.partition(), source.offset())));
    }
    engine.start(route, event, planned, source);
  }

  private static String where(ConsumerRecord<?, ?> record) {
    return record.topic() + "-" + record.partition() + "@" + record.offset();
  }
}
