package io.meshorch.kit.health;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * UP while the Kafka cluster answers a bounded {@code describeCluster} call, DOWN otherwise. It is
 * part of the readiness group: a service that cannot reach the bus can neither take requests nor
 * publish outcomes, so it is not ready, though restarting it would not help (liveness stays UP).
 */
public final class KafkaReachabilityHealthIndicator implements HealthIndicator {
  private final Admin admin;
  private final Duration timeout;

  /**
   * @param admin the client that asks the cluster
   * @param timeout how long one check may take before the broker counts as unreachable
   */
  public KafkaReachabilityHealthIndicator(Admin admin, Duration timeout) {
    this.admin = admin;
    this.timeout = timeout;
  }

  @Override
  public Health health() {
    int ms = (int) timeout.toMillis();
    try {
      DescribeClusterResult cluster =
          admin.describeCluster(new DescribeClusterOptions().timeoutMs(ms));
      String id = cluster.clusterId().get(ms, TimeUnit.MILLISECONDS);
      int nodes = cluster.nodes().get(ms, TimeUnit.MILLISECONDS).size();
      return Health.up().withDetail("clusterId", id).withDetail("brokers", nodes).build();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Health.down().withDetail("error", "interrupted").build();
    } catch (Exception e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      return Health.down()
          .withDetail("error", "Kafka did not answer within " + timeout + ": " + cause)
          .build();
    }
  }
}
