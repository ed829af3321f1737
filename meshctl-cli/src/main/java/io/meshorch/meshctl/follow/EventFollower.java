package io.meshorch.meshctl.follow;

import io.meshorch.contracts.EventCodec;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.MalformedEventException;
import io.meshorch.contracts.UnknownEventTypeException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads the mesh topics without joining a consumer group (a CLI should leave no offsets behind),
 * either from the current end (to follow what a request causes) or from the beginning (to summarize
 * history).
 */
public final class EventFollower implements AutoCloseable {
  private final KafkaConsumer<String, byte[]> consumer;
  private final EventCodec codec = new EventCodec();

  /** Positions at the end (or the beginning) of every existing partition of {@code topics}. */
  public EventFollower(String bootstrapServers, Collection<String> topics, boolean fromBeginning) {
    this.consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                false,
                ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG,
                false,
                ConsumerConfig.CLIENT_ID_CONFIG,
                "meshctl-" + UUID.randomUUID()),
            new StringDeserializer(),
            new ByteArrayDeserializer());
    List<TopicPartition> partitions = new ArrayList<>();
    Map<String, ?> existing = consumer.listTopics(Duration.ofSeconds(30));
    for (String topic : topics) {
      if (existing.containsKey(topic)) {
        consumer
            .partitionsFor(topic)
            .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
      }
    }
    consumer.assign(partitions);
    if (fromBeginning) {
      consumer.seekToBeginning(partitions);
    } else {
      consumer.seekToEnd(partitions);
      partitions.forEach(consumer::position); // resolve now, before anything is published
    }
  }

  /** Events that arrive within {@code wait}, skipping records that are not events. */
  public List<EventEnvelope> poll(Duration wait) {
    List<EventEnvelope> events = new ArrayList<>();
    for (ConsumerRecord<String, byte[]> record : consumer.poll(wait)) {
      try {
        events.add(codec.decode(record.value()));
      } catch (UnknownEventTypeException | MalformedEventException e) {
        // not ours to show: dead letters and newer types are left to their owners
      }
    }
    return events;
  }

  /** Everything currently on the topics (for history), up to the end seen at the call. */
  public List<EventEnvelope> readToEnd(Duration timeout) {
    Map<TopicPartition, Long> end = consumer.endOffsets(consumer.assignment());
    List<EventEnvelope> events = new ArrayList<>();
    Instant deadline = Instant.now().plus(timeout);
    Predicate<TopicPartition> behind = tp -> consumer.position(tp) < end.get(tp);
    while (end.keySet().stream().anyMatch(behind) && Instant.now().isBefore(deadline)) {
      events.addAll(poll(Duration.ofMillis(200)));
    }
    events.sort(java.util.Comparator.comparing(EventEnvelope::occurredAt));
    return events;
  }

  @Override
  public void close() {
    consumer.close();
  }
}
