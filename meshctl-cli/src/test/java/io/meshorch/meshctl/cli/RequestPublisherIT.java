package io.meshorch.meshctl.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.ProgressReported;
import io.meshorch.contracts.Topics;
import io.meshorch.local.LocalKafkaBroker;
import io.meshorch.meshctl.follow.EventFollower;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** How a request reaches {@code mesh.requests}, on a real (KRaft) broker without services. */
@Timeout(120)
class RequestPublisherIT {
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
   * Without infra-service (which declares {@code mesh.requests}), the request is not sent and the
   * error names the topic and the service; a topic that appears while it looks (the service just
   * started) takes the request.
   */
  @Test
  void aRequestWaitsBrieflyForItsTopicAndOtherwiseNamesTheServiceThatDeclaresIt() throws Exception {
    EventEnvelope first = request("nobody declared the topic");
    assertThatThrownBy(() -> RequestPublisher.publish(broker.bootstrapServers(), first))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("topic mesh.requests does not exist")
        .hasMessageContaining("is infra-service running?");

    CompletableFuture<Void> declared =
        CompletableFuture.runAsync(
            () -> {
              try {
                Thread.sleep(1_000);
                try (Admin admin =
                    Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
                  admin
                      .createTopics(List.of(new NewTopic(Topics.REQUESTS, 1, (short) 1)))
                      .all()
                      .get(30, TimeUnit.SECONDS);
                }
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    EventEnvelope second = request("the topic came a second later");
    RequestPublisher.publish(broker.bootstrapServers(), second);
    declared.get(30, TimeUnit.SECONDS);

    try (EventFollower history =
        new EventFollower(broker.bootstrapServers(), List.of(Topics.REQUESTS), true)) {
      assertThat(history.readToEnd(Duration.ofSeconds(30)))
          .extracting(EventEnvelope::eventId)
          .containsExactly(second.eventId());
    }
  }

  private static EventEnvelope request(String message) {
    return EventEnvelope.create(
        "m", null, null, "meshctl", new ProgressReported("request", message));
  }
}
