package io.meshorch.kit.messaging;

import io.meshorch.contracts.EventCodec;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.Topics;
import io.meshorch.kit.port.DeadLetterPort;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.core.KafkaTemplate;

/** {@link DeadLetterPort} on Kafka: the event, keyed by mesh ID, with a {@code mesh-dlt-reason}. */
public final class KafkaDeadLetters implements DeadLetterPort {
  /** Header holding why the record is on the dead-letter topic. */
  public static final String REASON_HEADER = "mesh-dlt-reason";

  private static final Logger log = LoggerFactory.getLogger(KafkaDeadLetters.class);

  private final KafkaTemplate<String, byte[]> template;
  private final EventCodec codec;
  private final Duration timeout;

  public KafkaDeadLetters(
      KafkaTemplate<String, byte[]> template, EventCodec codec, Duration timeout) {
    this.template = template;
    this.codec = codec;
    this.timeout = timeout;
  }

  @Override
  public void send(String topic, EventEnvelope event, String reason) {
    String dlt = Topics.deadLetter(topic);
    ProducerRecord<String, byte[]> record =
        new ProducerRecord<>(dlt, event.meshId(), codec.encode(event));
    record.headers().add(Topics.TYPE_HEADER, event.type().getBytes(StandardCharsets.UTF_8));
    record.headers().add(REASON_HEADER, reason.getBytes(StandardCharsets.UTF_8));
    try {
      template.send(record).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      log.warn("put {} {} on {}: {}", event.type(), event.eventId(), dlt, reason);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      log.error("interrupted putting {} on {}", event.eventId(), dlt);
    } catch (Exception e) {
      log.error("could not put {} on {}: {}", event.eventId(), dlt, e.toString());
    }
  }
}
