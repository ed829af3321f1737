package io.meshorch.meshctl.follow;

import io.meshorch.contracts.EventCodec;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.MalformedEventException;
import io.meshorch.contracts.UnknownEventTypeException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads the mesh topics without joining a consumer group (a CLI should leave no offsets behind),
 * either from the current end (to follow what a request causes) or from the beginning (to summarize
 * history).
 *
 * <p>A topic that does not exist yet when the follower starts is looked for again while it polls
 * and read from its first record once it appears: each service declares its own topic when it
 * starts, so a command started before a service (or just after it, before the broker's metadata
 * shows the new topic) would otherwise never see that service's events.
 */
public final class EventFollower implements AutoCloseable {
  /** How often the topics missing at the start are looked for again. */
  static final Duration LOOK_AGAIN = Duration.ofMillis(500);

  private final KafkaConsumer<String, byte[]> consumer;
  private final EventCodec codec = new EventCodec();
  private final List<TopicPartition> assigned = new ArrayList<>();
  private final Set<String> missing = new LinkedHashSet<>();
  private Instant nextLook = Instant.MIN;

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
    missing.addAll(topics);
    List<TopicPartition> partitions = existingPartitions(Duration.ofSeconds(30));
    consumer.assign(assigned);
    if (fromBeginning) {
      consumer.seekToBeginning(partitions);
    } else {
      consumer.seekToEnd(partitions);
      partitions.forEach(consumer::position); // resolve now, before anything is published
    }
  }

  /**
   * Adds the partitions of the {@link #missing} topics that exist now to {@link #assigned}.
   *
   * @return the partitions added
   */
  private List<TopicPartition> existingPartitions(Duration timeout) {
    List<TopicPartition> added = new ArrayList<>();
    Map<String, List<PartitionInfo>> existing = consumer.listTopics(timeout);
    for (Iterator<String> it = missing.iterator(); it.hasNext(); ) {
      List<PartitionInfo> partitions = existing.get(it.next());
      if (partitions != null && !partitions.isEmpty()) {
        partitions.forEach(p -> added.add(new TopicPartition(p.topic(), p.partition())));
        it.remove();
      }
    }
    assigned.addAll(added);
    return added;
  }

  /** Starts reading the topics that appeared since the last look, from their first record. */
  private void lookForMissingTopics() {
    if (missing.isEmpty() || Instant.now().isBefore(nextLook)) {
      return;
    }
    nextLook = Instant.now().plus(LOOK_AGAIN);
    List<TopicPartition> appeared;
    try {
      appeared = existingPartitions(LOOK_AGAIN);
    } catch (TimeoutException e) {
      return; // the broker is slow or away: polling says nothing either; look again later
    }
    if (!appeared.isEmpty()) {
      consumer.assign(assigned); // the partitions assigned before keep their positions
      consumer.seekToBeginning(appeared);
    }
  }

  /** Events that arrive within {@code wait}, skipping records that are not events. */
  public List<EventEnvelope> poll(Duration wait) {
    lookForMissingTopics();
    return read(wait);
  }

  private List<EventEnvelope> read(Duration wait) {
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
      events.addAll(read(Duration.ofMillis(200)));
    }
    events.sort(java.util.Comparator.comparing(EventEnvelope::occurredAt));
    return events;
  }

  @Override
  public void close() {
    consumer.close();
  }
}
