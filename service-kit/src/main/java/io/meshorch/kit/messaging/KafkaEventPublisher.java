package io.meshorch.kit.messaging;

import io.meshorch.contracts.EventCodec;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.Topics;
import io.meshorch.kit.failure.TransientFailure;
import io.meshorch.kit.metrics.MeshMetrics;
import io.meshorch.kit.port.EventPublisherPort;
import io.meshorch.kit.step.StepJournal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.core.KafkaTemplate;

/**
 * Publishes this service's events on its own topic, keyed by mesh ID, with the logical type in a
 * header, and waits for the broker's acknowledgement (acks=all) before returning; then notes it in
 * the {@link StepJournal}.
 */
public final class KafkaEventPublisher implements EventPublisherPort {
  private static final Logger log = LoggerFactory.getLogger(KafkaEventPublisher.class);

  private final KafkaTemplate<String, byte[]> template;
  private final EventCodec codec;
  private final String topic;
  private final Duration timeout;
  private final StepJournal journal;
  private final MeshMetrics metrics;

  public KafkaEventPublisher(
      KafkaTemplate<String, byte[]> template,
      EventCodec codec,
      String topic,
      Duration timeout,
      StepJournal journal) {
    this(template, codec, topic, timeout, journal, MeshMetrics.none());
  }

  /** As the other constructor, counting the events published by type in {@code metrics}. */
  public KafkaEventPublisher(
      KafkaTemplate<String, byte[]> template,
      EventCodec codec,
      String topic,
      Duration timeout,
      StepJournal journal,
      MeshMetrics metrics) {
    this.template = template;
    this.codec = codec;
    this.topic = topic;
    this.timeout = timeout;
    this.journal = journal;
    this.metrics = metrics;
  }

  @Override
  public void publish(EventEnvelope event) {
    ProducerRecord<String, byte[]> record =
        new ProducerRecord<>(topic, event.meshId(), codec.encode(event));
    record.headers().add(Topics.TYPE_HEADER, event.type().getBytes(StandardCharsets.UTF_8));
    try {
      template.send(record).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TransientFailure(
          "PUBLISH_INTERRUPTED", "interrupted publishing " + event.type(), e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new TransientFailure(
          "PUBLISH_FAILED",
          "could not publish " + event.type() + " to " + topic + ": " + cause,
          cause);
    } catch (TimeoutException e) {
      throw new TransientFailure(
          "PUBLISH_FAILED",
          "the broker did not acknowledge " + event.type() + " on " + topic + " within " + timeout,
          e);
    } catch (RuntimeException e) {
      // KafkaTemplate.send throws at once for records the producer refuses (e.g. too large).
      throw new TransientFailure(
          "PUBLISH_FAILED", "could not publish " + event.type() + " to " + topic + ": " + e, e);
    }
    journal.record(event);
    metrics.eventProduced(event.type());
    log.info(
        "published {} for mesh {} cluster {} ({})",
        event.type(),
        event.meshId(),
        event.cluster(),
        event.eventId());
  }
}
