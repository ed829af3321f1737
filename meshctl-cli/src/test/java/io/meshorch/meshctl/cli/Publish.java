package io.meshorch.meshctl.cli;

import io.meshorch.contracts.EventCodec;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.Topics;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Puts an event on a topic as a service would: keyed by mesh ID, with its type header. */
final class Publish {
  private Publish() {}

  static void event(String bootstrapServers, String topic, EventEnvelope event) throws Exception {
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(
            Map.<String, Object>of("bootstrap.servers", bootstrapServers),
            new StringSerializer(),
            new ByteArraySerializer())) {
      ProducerRecord<String, byte[]> record =
          new ProducerRecord<>(topic, event.meshId(), new EventCodec().encode(event));
      record.headers().add(Topics.TYPE_HEADER, event.type().getBytes(StandardCharsets.UTF_8));
      producer.send(record).get(30, TimeUnit.SECONDS);
    }
  }
}
