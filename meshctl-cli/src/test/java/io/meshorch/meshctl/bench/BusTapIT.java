package io.meshorch.meshctl.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.meshorch.contracts.EventCodec;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.MeshReady;
import io.meshorch.contracts.Topics;
import io.meshorch.local.LocalKafkaBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The benchmark's record of the bus, on a real (KRaft) broker. */
@Timeout(120)
class BusTapIT {
  @TempDir Path dir;

  /**
   * A tap that could not find one of its topics would miss that topic's events and the benchmark
   * would wait for outcomes that came long ago: it refuses to start, naming the topic; on the
   * declared topics it records what is published after it started.
   */
  @Test
  void aTapRefusesATopicNobodyDeclaredAndRecordsTheEventsOfTheOthers() throws Exception {
    try (LocalKafkaBroker broker = new LocalKafkaBroker(dir.resolve("kafka")).start()) {
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
        admin
            .createTopics(List.of(new NewTopic(Topics.MESH, 2, (short) 1)))
            .all()
            .get(30, TimeUnit.SECONDS);
      }
      assertThatThrownBy(() -> new BusTap(broker.bootstrapServers(), Topics.ALL))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("topic " + Topics.REQUESTS + " does not exist: no service declared it");

      try (BusTap tap = new BusTap(broker.bootstrapServers(), List.of(Topics.MESH))) {
        EventEnvelope ready =
            EventEnvelope.create("m1", null, null, "mesh-service", new MeshReady(List.of()));
        try (KafkaProducer<String, byte[]> producer =
            new KafkaProducer<>(
                Map.<String, Object>of("bootstrap.servers", broker.bootstrapServers()),
                new StringSerializer(),
                new ByteArraySerializer())) {
          ProducerRecord<String, byte[]> record =
              new ProducerRecord<>(Topics.MESH, "m1", new EventCodec().encode(ready));
          record.headers().add(Topics.TYPE_HEADER, ready.type().getBytes(StandardCharsets.UTF_8));
          producer.send(record).get(30, TimeUnit.SECONDS);
        }
        await()
            .atMost(Duration.ofSeconds(30))
            .untilAsserted(() -> assertThat(tap.outcome("m1")).isPresent());
      }
    }
  }
}
