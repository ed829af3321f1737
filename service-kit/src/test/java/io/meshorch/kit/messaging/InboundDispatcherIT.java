package io.meshorch.kit.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshorch.contracts.ClusterFailed;
import io.meshorch.contracts.ClusterUp;
import io.meshorch.contracts.EventCodec;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.Topics;
import io.meshorch.contracts.VmsReady;
import io.meshorch.kit.dedupe.HandledEvents;
import io.meshorch.testkit.EventProbe;
import io.meshorch.testkit.Samples;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

@SpringBootTest(
    classes = KitTestApplication.class,
    properties = {
      "spring.kafka.bootstrap-servers=${spring.embedded.kafka.brokers}",
      "mesh.service.name=test-service",
      "mesh.service.topic=" + Topics.RKE,
      "mesh.service.declared-topics=" + Topics.INFRA,
    })
@EmbeddedKafka(brokerProperties = "auto.create.topics.enable=false")
class InboundDispatcherIT {
  @TempDir static Path secrets;

  private static EventProbe probe;
  private static final EventCodec CODEC = new EventCodec();

  @Autowired EmbeddedKafkaBroker broker;
  @Autowired TopicReplayer replayer;

  @DynamicPropertySource
  static void secretsDir(DynamicPropertyRegistry registry) {
    registry.add("mesh.service.secrets-dir", () -> secrets.toString());
  }

  @BeforeAll
  static void startProbe(@Autowired EmbeddedKafkaBroker broker) {
    probe =
        new EventProbe(
            broker.getBrokersAsString(), List.of(Topics.RKE, Topics.deadLetter(Topics.INFRA)));
  }

  @AfterAll
  static void stopProbe() {
    probe.close();
  }

  private EventEnvelope vmsReady(String meshId, String cluster) {
    var spec = Samples.cluster(cluster, 1, 1);
    return EventEnvelope.create(
        meshId,
        cluster,
        UUID.randomUUID(),
        "infra-service",
        new VmsReady(spec, "stack-1", Samples.nodes(meshId, spec)));
  }

  private void send(String key, byte[] value) throws Exception {
    try (var producer =
        new KafkaProducer<>(
            Map.<String, Object>of("bootstrap.servers", broker.getBrokersAsString()),
            new StringSerializer(),
            new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(Topics.INFRA, key, value)).get();
    }
  }

  @Test
  void answersARedeliveredEventOnce() throws Exception {
    EventEnvelope event = vmsReady("redeliver", "east");

    send(event.meshId(), CODEC.encode(event));
    probe.await(Duration.ofSeconds(20), e -> event.eventId().equals(e.causationId()));
    send(event.meshId(), CODEC.encode(event));
    EventEnvelope marker = vmsReady("redeliver", "west");
    send(marker.meshId(), CODEC.encode(marker));
    probe.await(Duration.ofSeconds(20), e -> marker.eventId().equals(e.causationId()));

    assertThat(probe.events())
        .filteredOn(e -> event.eventId().equals(e.causationId()))
        .singleElement()
        .satisfies(e -> assertThat(e.payload()).isInstanceOf(ClusterUp.class));
  }

  @Test
  void sendsAMalformedRecordToTheDeadLetterTopicAndKeepsGoing() throws Exception {
    send("garbage", "{not an envelope".getBytes(StandardCharsets.UTF_8));
    EventEnvelope after = vmsReady("after-garbage", "east");
    send(after.meshId(), CODEC.encode(after));

    probe.await(Duration.ofSeconds(30), e -> after.eventId().equals(e.causationId()));
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(probe.records())
                    .anySatisfy(
                        r -> {
                          assertThat(r.topic()).isEqualTo(Topics.deadLetter(Topics.INFRA));
                          assertThat(new String(r.value(), StandardCharsets.UTF_8))
                              .isEqualTo("{not an envelope");
                        }));
  }

  @Test
  void turnsAFailedStepIntoClusterFailed() throws Exception {
    EventEnvelope event = vmsReady("failing", "doomed");

    send(event.meshId(), CODEC.encode(event));

    EventEnvelope failed =
        probe.await(Duration.ofSeconds(20), e -> event.eventId().equals(e.causationId()));
    assertThat(failed.payload())
        .isEqualTo(
            new ClusterFailed("kubernetes", "RKE_CONFIG_INVALID", "cluster.yml is invalid", false));
    assertThat(failed.cluster()).isEqualTo("doomed");
  }

  @Test
  void rebuildsTheHandledIndexFromItsOwnTopicAfterARestart() throws Exception {
    EventEnvelope event = vmsReady("restart", "east");
    send(event.meshId(), CODEC.encode(event));
    probe.await(Duration.ofSeconds(20), e -> event.eventId().equals(e.causationId()));

    HandledEvents rebuilt = new HandledEvents();
    replayer.replay(List.of(Topics.RKE), Duration.ofSeconds(20), rebuilt::record);

    assertThat(rebuilt.contains(event.eventId(), "east")).isTrue();
    assertThat(rebuilt.contains(event.eventId(), "west")).isFalse();
  }
}
