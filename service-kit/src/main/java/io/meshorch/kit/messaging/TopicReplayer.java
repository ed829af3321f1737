package io.meshorch.kit.messaging;

import io.meshorch.contracts.EventCodec;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.MalformedEventException;
import io.meshorch.contracts.UnknownEventTypeException;
import io.meshorch.kit.step.TriggerRef;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads topics without a consumer group: from the beginning up to their current end, to rebuild
 * in-memory state after a restart (the step journal, meshes waiting for their clusters), or single
 * records by their coordinates (the triggers of steps to resume).
 */
public final class TopicReplayer {
  private static final Logger log = LoggerFactory.getLogger(TopicReplayer.class);

  private final Map<String, Object> consumerProperties;
  private final EventCodec codec;

  public TopicReplayer(Map<String, Object> consumerProperties, EventCodec codec) {
    this.consumerProperties = new HashMap<>(consumerProperties);
    this.consumerProperties.remove(ConsumerConfig.GROUP_ID_CONFIG);
    this.consumerProperties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    this.consumerProperties.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    this.codec = codec;
  }

  /**
   * Feeds every decodable event of {@code topics} to {@code sink}, in partition order. Topics that
   * do not exist yet are skipped (nothing to rebuild); undecodable records are skipped.
   *
   * @return the number of events replayed
   */
  public int replay(Collection<String> topics, Duration timeout, Consumer<EventEnvelope> sink) {
    return replay(topics, timeout, (topic, event) -> sink.accept(event));
  }

  /**
   * As {@link #replay(Collection, Duration, Consumer)}, telling {@code sink} the topic of each
   * event (events of different topics come interleaved, each topic's partitions in order).
   */
  public int replay(
      Collection<String> topics, Duration timeout, BiConsumer<String, EventEnvelope> sink) {
    Instant deadline = Instant.now().plus(timeout);
    int count = 0;
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(
            consumerProperties, new StringDeserializer(), new ByteArrayDeserializer())) {
      Set<String> existing = consumer.listTopics(timeout).keySet();
      List<TopicPartition> partitions = new ArrayList<>();
      for (String topic : topics) {
        if (existing.contains(topic)) {
          consumer.partitionsFor(topic, timeout).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .forEach(partitions::add);
        }
      }
      if (partitions.isEmpty()) {
        return 0;
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
      while (!caughtUp(consumer, end)) {
        if (Instant.now().isAfter(deadline)) {
          throw new IllegalStateException("replay of " + topics + " did not finish in " + timeout);
        }
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          try {
            sink.accept(record.topic(), codec.decode(record.value()));
            count++;
          } catch (UnknownEventTypeException | MalformedEventException e) {
            log.debug(
                "replay skips {}-{}@{}: {}",
                record.topic(),
                record.partition(),
                record.offset(),
                e.getMessage());
          }
        }
      }
    }
    log.info("replayed {} events from {}", count, topics);
    return count;
  }

  /**
   * The values of the records at {@code refs} (topic, partition, offset), read without a consumer
   * group; a record that no longer exists (retention) is missing from the result.
   */
  public Map<TriggerRef, byte[]> read(Collection<TriggerRef> refs, Duration timeout) {
    Map<TriggerRef, byte[]> out = new HashMap<>();
    if (refs.isEmpty()) {
      return out;
    }
    Map<TopicPartition, List<TriggerRef>> byPartition = new HashMap<>();
    for (TriggerRef ref : refs) {
      byPartition
          .computeIfAbsent(new TopicPartition(ref.topic(), ref.partition()), p -> new ArrayList<>())
          .add(ref);
    }
    Instant deadline = Instant.now().plus(timeout);
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(
            consumerProperties, new StringDeserializer(), new ByteArrayDeserializer())) {
      consumer.assign(byPartition.keySet());
      Map<TopicPartition, Long> end = consumer.endOffsets(byPartition.keySet(), timeout);
      Map<TopicPartition, Long> last = new HashMap<>();
      byPartition.forEach(
          (tp, wanted) -> {
            long first = wanted.stream().mapToLong(TriggerRef::offset).min().orElseThrow();
            last.put(
                tp,
                Math.min(
                    end.get(tp),
                    wanted.stream().mapToLong(r -> r.offset() + 1).max().orElseThrow()));
            consumer.seek(tp, first);
          });
      while (!caughtUp(consumer, last)) {
        if (Instant.now().isAfter(deadline)) {
          throw new IllegalStateException(
              "reading " + refs.size() + " record(s) took over " + timeout);
        }
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          TriggerRef ref = new TriggerRef(record.topic(), record.partition(), record.offset());
          if (byPartition
              .get(new TopicPartition(record.topic(), record.partition()))
              .contains(ref)) {
            out.put(ref, record.value());
          }
        }
      }
    }
    return out;
  }

  private static boolean caughtUp(
      KafkaConsumer<String, byte[]> consumer, Map<TopicPartition, Long> end) {
    return end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
  }
}
