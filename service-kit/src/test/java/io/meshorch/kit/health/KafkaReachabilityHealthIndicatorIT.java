package io.meshorch.kit.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Status;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * Readiness follows the broker: DOWN (within its bounded call) when no broker answers, UP while one
 * runs, DOWN again once it stopped.
 */
class KafkaReachabilityHealthIndicatorIT {
  private static final Duration CHECK = Duration.ofSeconds(2);

  @Test
  void isDownWhenNoBrokerAnswersWithinItsBoundedCall() throws Exception {
    try (Admin admin = admin("127.0.0.1:" + freePort())) {
      KafkaReachabilityHealthIndicator health = new KafkaReachabilityHealthIndicator(admin, CHECK);

      long before = System.nanoTime();
      var down = health.health();

      assertThat(down.getStatus()).isEqualTo(Status.DOWN);
      assertThat(down.getDetails().get("error")).asString().contains("Kafka did not answer");
      assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofSeconds(5));
    }
  }

  @Test
  void isUpWhileTheBrokerRunsAndDownOnceItStopped() throws Exception {
    EmbeddedKafkaKraftBroker broker = new EmbeddedKafkaKraftBroker(1, 1);
    broker.afterPropertiesSet();
    try (Admin admin = admin(broker.getBrokersAsString())) {
      KafkaReachabilityHealthIndicator health = new KafkaReachabilityHealthIndicator(admin, CHECK);
      try {
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> health.health().getStatus().equals(Status.UP));
        assertThat(health.health().getDetails()).containsEntry("brokers", 1);
      } finally {
        broker.destroy();
      }

      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> health.health().getStatus().equals(Status.DOWN));
    }
  }

  private static Admin admin(String bootstrap) {
    return Admin.create(
        Map.of(
            "bootstrap.servers", bootstrap,
            "request.timeout.ms", 2_000,
            "default.api.timeout.ms", 2_000,
            "reconnect.backoff.max.ms", 500));
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
