package io.meshorch.meshctl.bench;

import io.meshorch.contracts.EventCodec;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.MeshRequested;
import io.meshorch.contracts.Topics;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Publishes mesh requests on {@code mesh.requests}, keyed by mesh ID, as any client may. */
final class RequestSender implements AutoCloseable {
  private final KafkaProducer<String, byte[]> producer;
  private final EventCodec codec = new EventCodec();

  RequestSender(String bootstrapServers) {
    producer =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers,
                ProducerConfig.ACKS_CONFIG,
                "all",
                ProducerConfig.MAX_BLOCK_MS_CONFIG,
                30_000),
            new StringSerializer(),
            new ByteArraySerializer());
  }

  /** Sends every request at once and waits for the broker to acknowledge all of them. */
  List<RecordMetadata> send(Map<String, MeshRequested> meshes) throws Exception {
    List<Future<RecordMetadata>> sent = new ArrayList<>();
    for (Map.Entry<String, MeshRequested> mesh : meshes.entrySet()) {
      EventEnvelope request =
          EventEnvelope.create(mesh.getKey(), null, null, "meshctl-bench", mesh.getValue());
      ProducerRecord<String, byte[]> record =
          new ProducerRecord<>(Topics.REQUESTS, request.meshId(), codec.encode(request));
      record.headers().add(Topics.TYPE_HEADER, request.type().getBytes(StandardCharsets.UTF_8));
      sent.add(producer.send(record));
    }
    producer.flush();
    List<RecordMetadata> out = new ArrayList<>();
    for (Future<RecordMetadata> f : sent) {
      out.add(f.get(60, TimeUnit.SECONDS));
    }
    return out;
  }

  @Override
  public void close() {
    producer.close();
  }
}
