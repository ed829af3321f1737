package io.meshorch.kit.health;

import io.meshorch.kit.messaging.ConsumerProgress;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * DOWN when the service's consumer is stuck: records wait on its topics (lag above zero) and it has
 * finished none for longer than {@code mesh.service.stall-timeout}; also DOWN when the broker
 * cannot be asked. An idle consumer with nothing to read is UP.
 */
public final class ConsumerHealthIndicator implements HealthIndicator {
  private final Admin admin;
  private final String group;
  private final Supplier<Collection<String>> topics;
  private final ConsumerProgress progress;
  private final Duration stallTimeout;
  private final Duration callTimeout;

  public ConsumerHealthIndicator(
      Admin admin,
      String group,
      Supplier<Collection<String>> topics,
      ConsumerProgress progress,
      Duration stallTimeout,
      Duration callTimeout) {
    this.admin = admin;
    this.group = group;
    this.topics = topics;
    this.progress = progress;
    this.stallTimeout = stallTimeout;
    this.callTimeout = callTimeout;
  }

  @Override
  public Health health() {
    long lag;
    try {
      lag = lag();
    } catch (Exception e) {
      return Health.down()
          .withDetail("group", group)
          .withDetail("error", "cannot read offsets from Kafka: " + e.getMessage())
          .build();
    }
    Duration idle = progress.idleFor();
    Health.Builder health =
        lag > 0 && idle.compareTo(stallTimeout) > 0 ? Health.down() : Health.up();
    return health
        .withDetail("group", group)
        .withDetail("lag", lag)
        .withDetail("lastRecordFinished", progress.last().toString())
        .withDetail("stallTimeout", stallTimeout.toString())
        .build();
  }

  /** Records on the topics the group has not committed yet. */
  private long lag() throws Exception {
    long ms = callTimeout.toMillis();
    Map<TopicPartition, OffsetAndMetadata> committed =
        admin
            .listConsumerGroupOffsets(group)
            .partitionsToOffsetAndMetadata()
            .get(ms, TimeUnit.MILLISECONDS);
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
    admin
        .describeTopics(topics.get())
        .allTopicNames()
        .get(ms, TimeUnit.MILLISECONDS)
        .forEach(
            (name, description) ->
                description
                    .partitions()
                    .forEach(
                        p -> {
                          latest.put(new TopicPartition(name, p.partition()), OffsetSpec.latest());
                          earliest.put(
                              new TopicPartition(name, p.partition()), OffsetSpec.earliest());
                        }));
    Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends =
        admin.listOffsets(latest).all().get(ms, TimeUnit.MILLISECONDS);
    Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> starts =
        admin.listOffsets(earliest).all().get(ms, TimeUnit.MILLISECONDS);
    long lag = 0;
    for (var end : ends.entrySet()) {
      OffsetAndMetadata done = committed.get(end.getKey());
      long from = done != null ? done.offset() : starts.get(end.getKey()).offset();
      lag += Math.max(0, end.getValue().offset() - from);
    }
    return lag;
  }
}
