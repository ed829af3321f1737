package io.meshorch.meshctl.follow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshorch.contracts.EventCodec;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.MeshFailed;
import io.meshorch.contracts.ProgressReported;
import io.meshorch.contracts.Topics;
import io.meshorch.local.LocalKafkaBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What {@code up}, {@code down} and {@code watch} see of the bus, on a real (KRaft) broker. */
@Timeout(120)
class EventFollowerIT {
  @TempDir static Path dir;
  private static LocalKafkaBroker broker;

  @BeforeAll
  static void brokerWithTheRequestsTopicOnly() throws Exception {
    broker = new LocalKafkaBroker(dir.resolve("kafka")).start();
    createTopic(Topics.REQUESTS);
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  /**
   * Each service declares its own topic when it starts. A follower started before mesh-service (or
   * just after, while the broker's metadata does not show its topic yet) still sees the mesh's
   * outcome once the topic is there: {@code up} would otherwise follow a finished mesh until its
   * one-hour timeout.
   */
  @Test
  void aTopicCreatedAfterTheFollowerStartedIsFollowedFromItsFirstRecord() throws Exception {
    publish(Topics.REQUESTS, progress("before the follower"));
    List<EventEnvelope> seen = new ArrayList<>();
    try (EventFollower follower =
        new EventFollower(
            broker.bootstrapServers(), List.of(Topics.REQUESTS, Topics.MESH), false)) {
      seen.addAll(follower.poll(Duration.ofMillis(300)));

      createTopic(Topics.MESH);
      EventEnvelope outcome =
          EventEnvelope.create(
              "late", null, null, "mesh-service", new MeshFailed("mesh", null, "X", "y", false));
      publish(Topics.MESH, outcome);
      EventEnvelope after = progress("after the follower");
      publish(Topics.REQUESTS, after);

      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                seen.addAll(follower.poll(Duration.ofMillis(200)));
                assertThat(seen)
                    .extracting(EventEnvelope::eventId)
                    .contains(outcome.eventId(), after.eventId());
              });
    }
    assertThat(seen)
        .as("what was on an existing topic before the follower started is not followed")
        .extracting(e -> e.payload().toString())
        .noneMatch(p -> p.contains("before the follower"));
  }

  private static EventEnvelope progress(String message) {
    return EventEnvelope.create(
        "late", null, null, "test", new ProgressReported("request", message));
  }

  private static void createTopic(String topic) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
      admin
          .createTopics(List.of(new NewTopic(topic, 2, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
  }

  private static void publish(String topic, EventEnvelope event) throws Exception {
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(
            Map.<String, Object>of("bootstrap.servers", broker.bootstrapServers()),
            new StringSerializer(),
            new ByteArraySerializer())) {
      ProducerRecord<String, byte[]> record =
          new ProducerRecord<>(topic, event.meshId(), new EventCodec().encode(event));
      record.headers().add(Topics.TYPE_HEADER, event.type().getBytes(StandardCharsets.UTF_8));
      producer.send(record).get(30, TimeUnit.SECONDS);
    }
  }
}
