package io.meshorch.kit.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshorch.contracts.ClusterFailed;
import io.meshorch.contracts.ClusterUp;
import io.meshorch.contracts.EventCodec;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.MeshDeleteRequested;
import io.meshorch.contracts.ProgressReported;
import io.meshorch.contracts.Topics;
import io.meshorch.kit.health.ConsumerHealthIndicator;
import io.meshorch.testkit.EventProbe;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.health.contributor.Status;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.context.EmbeddedKafka;

/** Services that stop and start again: steps in flight survive, a stuck consumer shows. */
@EmbeddedKafka(brokerProperties = "auto.create.topics.enable=false")
class StepResumeIT {
  private static final EventCodec CODEC = new EventCodec();
  @TempDir static Path secrets;
  private static EventProbe probe;
  private static EmbeddedKafkaBroker broker;

  @BeforeAll
  static void startProbe(EmbeddedKafkaBroker embedded) {
    broker = embedded;
  }

  @AfterAll
  static void stopProbe() {
    if (probe != null) {
      probe.close();
    }
  }

  private static ConfigurableApplicationContext service(String... extra) {
    String[] base = {
      "--spring.kafka.bootstrap-servers=" + broker.getBrokersAsString(),
      "--mesh.service.name=resume-service",
      "--mesh.service.topic=" + Topics.RKE,
      "--mesh.service.declared-topics=" + Topics.INFRA + "," + Topics.REQUESTS,
      "--mesh.service.secrets-dir=" + secrets,
      "--server.port=0",
    };
    String[] args = new String[base.length + extra.length];
    System.arraycopy(base, 0, args, 0, base.length);
    System.arraycopy(extra, 0, args, base.length, extra.length);
    return new SpringApplicationBuilder(KitTestApplication.class).run(args);
  }

  private static EventProbe probe() {
    if (probe == null) {
      probe = new EventProbe(broker.getBrokersAsString(), List.of(Topics.RKE));
    }
    return probe;
  }

  private static void send(EventEnvelope event) throws Exception {
    send(Topics.INFRA, event);
  }

  private static void send(String topic, EventEnvelope event) throws Exception {
    try (var producer =
        new KafkaProducer<>(
            Map.<String, Object>of("bootstrap.servers", broker.getBrokersAsString()),
            new StringSerializer(),
            new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(topic, event.meshId(), CODEC.encode(event))).get();
    }
  }

  /**
   * Starts the service, hands it {@code slow} and stops it once the step is recorded as started and
   * has begun its wait.
   */
  private static void stopWhileWaiting(EventEnvelope slow) throws Exception {
    ConfigurableApplicationContext service = service();
    try {
      send(slow);
      probe()
          .await(
              Duration.ofSeconds(30),
              e ->
                  slow.eventId().equals(e.causationId())
                      && e.payload() instanceof ProgressReported p
                      && p.waitingFor() != null);
    } finally {
      service.close();
    }
  }

  @Test
  void aStopIsNotAFailureAndTheNextStartFinishesTheStepOnce() throws Exception {
    EventEnvelope slow = InboundDispatcherIT.vmsReady("restarted", "slow-resumed");
    stopWhileWaiting(slow);
    // the first service stopped with the step waiting; nothing may say it failed
    assertThat(probe().events())
        .filteredOn(e -> slow.eventId().equals(e.causationId()))
        .noneMatch(e -> e.payload() instanceof ClusterFailed);

    int plannedBefore = KitTestApplication.PLANNED.get();
    int advancesBefore = KitTestApplication.ADVANCES.get("slow-resumed").get();
    ConfigurableApplicationContext second = service();
    try {
      // resumed, and still waiting for the gate, before the gate opens
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> KitTestApplication.ADVANCES.get("slow-resumed").get() > advancesBefore);
      KitTestApplication.GATES.put("slow-resumed", true);
      EventEnvelope up =
          probe()
              .await(
                  Duration.ofSeconds(30),
                  e -> slow.eventId().equals(e.causationId()) && e.payload() instanceof ClusterUp);
      assertThat(up.cluster()).isEqualTo("slow-resumed");
      assertThat(KitTestApplication.PLANNED.get()).isGreaterThan(plannedBefore);
    } finally {
      second.close();
    }
    assertThat(probe().events())
        .filteredOn(e -> slow.eventId().equals(e.causationId()))
        .extracting(e -> e.payload().getClass().getSimpleName())
        .as("one wait begun: the resumed step went on with it (its time limit counts from then)")
        .containsExactly("StepStarted", "ProgressReported", "ClusterUp");
  }

  @Test
  void aStepWhoseClusterWasDeletedWhileTheServiceWasDownIsAnsweredCancelledWithoutRunning()
      throws Exception {
    EventEnvelope slow = InboundDispatcherIT.vmsReady("gone-meanwhile", "slow-gone");
    stopWhileWaiting(slow);
    send(
        Topics.REQUESTS,
        EventEnvelope.create("gone-meanwhile", null, null, "meshctl", new MeshDeleteRequested()));
    int advancesBefore = KitTestApplication.ADVANCES.get("slow-gone").get();

    ConfigurableApplicationContext second = service();
    try {
      EventEnvelope answer =
          probe()
              .await(
                  Duration.ofSeconds(30),
                  e ->
                      slow.eventId().equals(e.causationId())
                          && e.payload() instanceof ClusterFailed);
      assertThat(((ClusterFailed) answer.payload()).code()).isEqualTo("CANCELLED");
    } finally {
      second.close();
    }
    assertThat(KitTestApplication.ADVANCES.get("slow-gone").get())
        .as("the resumed step never ran")
        .isEqualTo(advancesBefore);
  }

  @Test
  void aFreshConsumerGroupReadsEveryRecordAgainAndAnswersNothingTwice() throws Exception {
    EventEnvelope once = InboundDispatcherIT.vmsReady("replayed", "east");
    ConfigurableApplicationContext first = service("--mesh.service.name=replay-service");
    try {
      send(once);
      probe()
          .await(
              Duration.ofSeconds(30),
              e -> once.eventId().equals(e.causationId()) && e.payload() instanceof ClusterUp);
    } finally {
      first.close();
    }

    try (ConfigurableApplicationContext fresh =
            service("--mesh.service.name=replay-service", "--mesh.service.group=replay-fresh");
        Admin admin =
            Admin.create(
                Map.<String, Object>of("bootstrap.servers", broker.getBrokersAsString()))) {
      // the listener is called "test-service"; its group is still the one the settings name
      assertThat(
              fresh
                  .getBean(KafkaListenerEndpointRegistry.class)
                  .getListenerContainer("test-service")
                  .getGroupId())
          .isEqualTo("replay-fresh");
      // the fresh group reads the whole input topic from offset 0 and commits it
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> lag(admin, "replay-fresh", Topics.INFRA) == 0);
    }
    assertThat(probe().events())
        .filteredOn(e -> once.eventId().equals(e.causationId()))
        .extracting(e -> e.payload().getClass().getSimpleName())
        .containsExactly("StepStarted", "ClusterUp");
  }

  /** Records of {@code topic} not committed by {@code group}; a group without offsets lags all. */
  private static long lag(Admin admin, String group, String topic) throws Exception {
    Map<TopicPartition, OffsetAndMetadata> committed =
        admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    admin
        .describeTopics(List.of(topic))
        .allTopicNames()
        .get()
        .get(topic)
        .partitions()
        .forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
    long lag = 0;
    for (var end : admin.listOffsets(latest).all().get().entrySet()) {
      OffsetAndMetadata c = committed.get(end.getKey());
      lag += end.getValue().offset() - (c == null ? 0 : c.offset());
    }
    return lag;
  }

  @Test
  void healthIsDownWhileRecordsWaitBehindAStuckConsumerAndUpAgainAfterwards() throws Exception {
    try (ConfigurableApplicationContext service =
        service("--mesh.service.name=stuck-service", "--mesh.service.stall-timeout=1s")) {
      ConsumerHealthIndicator health = service.getBean(ConsumerHealthIndicator.class);
      assertThat(health.health().getStatus()).isEqualTo(Status.UP);

      send(InboundDispatcherIT.vmsReady("stuck", "stuck-plan"));
      send(InboundDispatcherIT.vmsReady("stuck", "east"));

      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> health.health().getStatus().equals(Status.DOWN));
      KitTestApplication.STUCK.countDown();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> health.health().getStatus().equals(Status.UP));
    }
  }
}
