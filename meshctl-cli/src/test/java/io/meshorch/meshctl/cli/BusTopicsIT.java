package io.meshorch.meshctl.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.MeshEvent;
import io.meshorch.contracts.MeshFailed;
import io.meshorch.contracts.MeshReady;
import io.meshorch.contracts.ProgressReported;
import io.meshorch.contracts.Topics;
import io.meshorch.local.LocalKafkaBroker;
import io.meshorch.meshctl.bench.BusTap;
import io.meshorch.meshctl.follow.EventFollower;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * meshctl's clients of the bus (the request it sends, what {@code up}, {@code down} and {@code
 * watch} follow, the benchmark's tap) on a real (KRaft) broker where topics are missing or appear
 * late: each service declares its own topic when it starts, and a broker lists a new topic a moment
 * after its creation returned. The broker starts without topics; each test uses its own.
 */
@Timeout(120)
class BusTopicsIT {
  @TempDir static Path dir;
  private static LocalKafkaBroker broker;

  @BeforeAll
  static void brokerWithoutTopics() {
    broker = new LocalKafkaBroker(dir.resolve("kafka")).start();
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  /**
   * A follower started before mesh-service (or just after, while the broker does not list its topic
   * yet) still sees the mesh's outcome once the topic is there: {@code up} would otherwise follow a
   * finished mesh until its one-hour timeout.
   */
  @Test
  void aTopicCreatedAfterTheFollowerStartedIsFollowedFromItsFirstRecord() throws Exception {
    String early = topic("early");
    String late = topic("late");
    createTopic(early);
    publish(early, event(new ProgressReported("request", "before the follower")));
    List<EventEnvelope> seen = new ArrayList<>();
    try (EventFollower follower =
        new EventFollower(broker.bootstrapServers(), List.of(early, late), false)) {
      seen.addAll(follower.poll(Duration.ofMillis(300)));

      createTopic(late);
      EventEnvelope outcome = event(new MeshFailed("mesh", null, "X", "y", false));
      publish(late, outcome);
      EventEnvelope after = event(new ProgressReported("request", "after the follower"));
      publish(early, after);

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

  /**
   * Without infra-service (which declares {@code mesh.requests}), a request is not sent and the
   * error names the topic and the service; a topic that appears while it looks (the service just
   * started) takes the request.
   */
  @Test
  void aRequestWaitsBrieflyForItsTopicAndOtherwiseNamesTheServiceThatDeclaresIt() throws Exception {
    EventEnvelope first = event(new ProgressReported("request", "nobody declared the topic"));
    assertThatThrownBy(() -> RequestPublisher.publish(broker.bootstrapServers(), first))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("topic mesh.requests does not exist")
        .hasMessageContaining("is infra-service running?");

    CompletableFuture<Void> declared =
        CompletableFuture.runAsync(
            () -> {
              try {
                Thread.sleep(1_000);
                createTopic(Topics.REQUESTS);
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    EventEnvelope second = event(new ProgressReported("request", "the topic came a second later"));
    RequestPublisher.publish(broker.bootstrapServers(), second);
    declared.get(30, TimeUnit.SECONDS);

    try (EventFollower history =
        new EventFollower(broker.bootstrapServers(), List.of(Topics.REQUESTS), true)) {
      assertThat(history.readToEnd(Duration.ofSeconds(30)))
          .extracting(EventEnvelope::eventId)
          .containsExactly(second.eventId());
    }
  }

  /**
   * A benchmark tap that could not find one of its topics would miss that topic's events and wait
   * for outcomes that came long ago: it refuses to start, naming the topic; on declared topics it
   * records what is published after it started.
   */
  @Test
  void aTapRefusesATopicNobodyDeclaredAndRecordsTheEventsOfTheOthers() throws Exception {
    String declared = topic("declared");
    String undeclared = topic("undeclared");
    createTopic(declared);
    assertThatThrownBy(() -> new BusTap(broker.bootstrapServers(), List.of(declared, undeclared)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("topic " + undeclared + " does not exist: no service declared it");

    try (BusTap tap = new BusTap(broker.bootstrapServers(), List.of(declared))) {
      EventEnvelope ready = event(new MeshReady(List.of()));
      publish(declared, ready);
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(() -> assertThat(tap.outcome(ready.meshId())).isPresent());
    }
  }

  private static String topic(String name) {
    return name + "-" + UUID.randomUUID();
  }

  private static EventEnvelope event(MeshEvent payload) {
    return EventEnvelope.create("m-" + UUID.randomUUID(), null, null, "test", payload);
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
    Publish.event(broker.bootstrapServers(), topic, event);
  }
}
