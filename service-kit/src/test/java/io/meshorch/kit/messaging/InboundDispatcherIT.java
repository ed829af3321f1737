package io.meshorch.kit.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshorch.contracts.ClusterFailed;
import io.meshorch.contracts.ClusterUp;
import io.meshorch.contracts.EventCodec;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.MeshDeleteRequested;
import io.meshorch.contracts.MeshEvent;
import io.meshorch.contracts.MeshRejected;
import io.meshorch.contracts.MeshRequested;
import io.meshorch.contracts.ProgressReported;
import io.meshorch.contracts.StepStarted;
import io.meshorch.contracts.Topics;
import io.meshorch.contracts.VmsReady;
import io.meshorch.kit.step.DeletionRequests;
import io.meshorch.testkit.EventProbe;
import io.meshorch.testkit.Samples;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
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
      "mesh.service.declared-topics=" + Topics.INFRA + "," + Topics.REQUESTS,
      "mesh.service.max-record-bytes=65536",
      "mesh.service.record-retry.initial-delay=100ms",
      "mesh.service.step-retry.initial-delay=100ms",
    })
@EmbeddedKafka(brokerProperties = "auto.create.topics.enable=false")
class InboundDispatcherIT {
  @TempDir static Path secrets;

  private static EventProbe probe;
  private static final EventCodec CODEC = new EventCodec();

  @Autowired EmbeddedKafkaBroker broker;
  @Autowired DeletionRequests deletions;

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

  static EventEnvelope vmsReady(String meshId, String cluster) {
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

  private void send(EventEnvelope event) throws Exception {
    send(event.meshId(), CODEC.encode(event));
  }

  private EventEnvelope request(String meshId, MeshEvent request) throws Exception {
    EventEnvelope event = EventEnvelope.create(meshId, null, null, "meshctl", request);
    request(event);
    return event;
  }

  private void request(EventEnvelope event) throws Exception {
    try (var producer =
        new KafkaProducer<>(
            Map.<String, Object>of("bootstrap.servers", broker.getBrokersAsString()),
            new StringSerializer(),
            new ByteArraySerializer())) {
      producer
          .send(new ProducerRecord<>(Topics.REQUESTS, event.meshId(), CODEC.encode(event)))
          .get();
    }
  }

  private static EventEnvelope outcomeOf(EventEnvelope trigger) {
    return probe.await(
        Duration.ofSeconds(30),
        e ->
            trigger.eventId().equals(e.causationId())
                && !(e.payload() instanceof StepStarted)
                && !(e.payload() instanceof ProgressReported));
  }

  @Test
  void aLongStepHoldsBackNeitherTheOtherClustersOfItsMeshNorThePartition() throws Exception {
    EventEnvelope slow = vmsReady("busy", "slow-west");
    EventEnvelope east = vmsReady("busy", "east");
    EventEnvelope otherMesh = vmsReady("neighbour", "north");

    send(slow);
    send(east);
    send(otherMesh);

    assertThat(outcomeOf(east).payload()).isInstanceOf(ClusterUp.class);
    assertThat(outcomeOf(otherMesh).payload()).isInstanceOf(ClusterUp.class);
    assertThat(probe.events())
        .filteredOn(e -> slow.eventId().equals(e.causationId()))
        .filteredOn(e -> !(e.payload() instanceof ProgressReported))
        .as("the slow step: started, no outcome yet")
        .singleElement()
        .satisfies(e -> assertThat(e.payload()).isInstanceOf(StepStarted.class));

    KitTestApplication.GATES.put("slow-west", true);
    assertThat(outcomeOf(slow).payload()).isInstanceOf(ClusterUp.class);
  }

  @Test
  void aDeletionStopsTheClustersRunningStepAndItsLaterTriggersUntilItIsRequestedAgain()
      throws Exception {
    request(
        "halted",
        new MeshRequested(
            List.of(Samples.cluster("slow-halted", 1, 1), Samples.cluster("east", 2, 1))));
    EventEnvelope building = vmsReady("halted", "slow-halted");
    send(building);
    probe.await(
        Duration.ofSeconds(30),
        e -> building.eventId().equals(e.causationId()) && e.payload() instanceof StepStarted);

    EventEnvelope deletion = request("halted", new MeshDeleteRequested(List.of("slow-halted")));

    ClusterFailed cancelled = (ClusterFailed) outcomeOf(building).payload();
    assertThat(cancelled.code()).isEqualTo("CANCELLED");
    assertThat(cancelled.reason()).isEqualTo("mesh halted is being deleted (meshctl down)");
    assertThat(cancelled.retryable()).isFalse();

    // A trigger of the deleted cluster read afterwards starts nothing; its neighbour still builds.
    EventEnvelope late = vmsReady("halted", "slow-halted");
    send(late);
    EventEnvelope neighbour = vmsReady("halted", "east");
    send(neighbour);
    assertThat(outcomeOf(neighbour).payload()).isInstanceOf(ClusterUp.class);
    assertThat(probe.events()).noneMatch(e -> late.eventId().equals(e.causationId()));

    // Requested again (a later `up`): the cluster builds, and the old deletion read again (a
    // fresh consumer group, a replay) does not stop it.
    request(
        "halted",
        new MeshRequested(
            List.of(Samples.cluster("slow-halted", 1, 1), Samples.cluster("east", 2, 1))));
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> !deletions.deleting("halted", "slow-halted"));
    EventEnvelope again = vmsReady("halted", "slow-halted");
    send(again);
    probe.await(
        Duration.ofSeconds(30),
        e -> again.eventId().equals(e.causationId()) && e.payload() instanceof StepStarted);
    request(deletion);
    request("halted", new MeshDeleteRequested(List.of("marker"))); // same partition, read after
    await().atMost(Duration.ofSeconds(30)).until(() -> deletions.deleting("halted", "marker"));
    KitTestApplication.GATES.put("slow-halted", true);
    assertThat(outcomeOf(again).payload()).isInstanceOf(ClusterUp.class);
  }

  @Test
  void answersARedeliveredEventOnce() throws Exception {
    EventEnvelope event = vmsReady("redeliver", "east");

    send(event);
    outcomeOf(event);
    send(event);
    EventEnvelope marker = vmsReady("redeliver", "west");
    send(marker);
    outcomeOf(marker);

    assertThat(probe.events())
        .filteredOn(e -> event.eventId().equals(e.causationId()))
        .extracting(e -> e.payload().getClass().getSimpleName())
        .containsExactly("StepStarted", "ClusterUp");
  }

  @Test
  void turnsATerminalFailureIntoClusterFailed() throws Exception {
    EventEnvelope event = vmsReady("failing", "doomed");

    send(event);

    EventEnvelope failed = outcomeOf(event);
    assertThat(failed.payload())
        .isEqualTo(
            new ClusterFailed("kubernetes", "RKE_CONFIG_INVALID", "cluster.yml is invalid", false));
    assertThat(failed.cluster()).isEqualTo("doomed");
  }

  @Test
  void noPoisonRecordStopsTheServiceAndEachGetsADeadLetterAndAnAnswerThatFits() throws Exception {
    send("not-json", "{not an envelope".getBytes(StandardCharsets.UTF_8));
    EventEnvelope unknownTemplate = vmsReady("unknown-type", "east");
    send(
        "unknown-type",
        CODEC
            .encodeToString(unknownTemplate)
            .replace("mesh.VmsReady.v1", "mesh.SomethingNew.v9")
            .getBytes(StandardCharsets.UTF_8));
    send(
        "null-payload",
        CODEC
            .encodeToString(vmsReady("null-payload", "east"))
            .replaceFirst("\"payload\":\\{.*\\}}$", "\"payload\":null}")
            .getBytes(StandardCharsets.UTF_8));
    send(
        "huge", ("{\"padding\":\"" + "x".repeat(100_000) + "\"}").getBytes(StandardCharsets.UTF_8));
    EventEnvelope crashing = vmsReady("crashing", "crash-plan");
    send(crashing);
    EventEnvelope bloated = vmsReady("bloated", "bloated");
    send(bloated);
    EventEnvelope good = vmsReady("after-poison", "east");
    send(good);

    assertThat(outcomeOf(good).payload()).isInstanceOf(ClusterUp.class);
    for (String mesh : List.of("not-json", "null-payload", "huge")) {
      EventEnvelope answer = probe.await(Duration.ofSeconds(30), e -> mesh.equals(e.meshId()));
      assertThat(answer.payload()).isInstanceOf(MeshRejected.class);
      assertThat(((MeshRejected) answer.payload()).violations().get(0).field()).isEqualTo("record");
    }
    assertThat(
            ((MeshRejected)
                    probe.await(Duration.ofSeconds(1), e -> "huge".equals(e.meshId())).payload())
                .violations()
                .get(0)
                .rule())
        .contains("mesh.service.max-record-bytes");
    ClusterFailed crashed = (ClusterFailed) outcomeOf(crashing).payload();
    assertThat(crashed.code()).isEqualTo(UnprocessableRecords.CODE);
    assertThat(crashed.reason()).contains("the handler broke");
    ClusterFailed unpublishable = (ClusterFailed) outcomeOf(bloated).payload();
    assertThat(unpublishable.code()).isEqualTo("OUTCOME_UNPUBLISHABLE");
    assertThat(unpublishable.reason()).contains("ClusterUp could not be published");

    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(deadLetters())
                    .extracting(ConsumerRecord::key)
                    .contains("not-json", "null-payload", "huge", "crashing", "bloated")
                    .doesNotContain("unknown-type", "after-poison"));
    assertThat(deadLetters())
        .allSatisfy(
            r -> assertThat(r.headers().lastHeader(KafkaDeadLetters.REASON_HEADER)).isNotNull());
    assertThat(probe.records())
        .filteredOn(r -> r.topic().equals(Topics.RKE))
        .allSatisfy(r -> assertThat(r.value().length).isLessThan(16_384));
  }

  private static List<ConsumerRecord<String, byte[]>> deadLetters() {
    return probe.records().stream()
        .filter(r -> r.topic().equals(Topics.deadLetter(Topics.INFRA)))
        .toList();
  }
}
