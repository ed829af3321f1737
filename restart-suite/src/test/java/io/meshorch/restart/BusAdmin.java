package io.meshorch.restart;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;

/**
 * What the suite asks the broker about the services' consumers: whether a group is settled on every
 * partition of its input topics (a started service is ready), which members it has (to tell a
 * restarted incarnation from a killed one), its lag, and the topics' end offsets (to see the bus go
 * quiet).
 */
final class BusAdmin implements AutoCloseable {
  private static final long CALL_SECONDS = 10;
  private final Admin admin;

  BusAdmin(String bootstrapServers) {
    this.admin =
        Admin.create(
            Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                5_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                8_000));
  }

  /** The partitions of {@code topics}; empty when one of them does not exist yet. */
  Set<TopicPartition> partitions(Collection<String> topics) {
    Set<String> existing = get(admin.listTopics().names());
    if (!existing.containsAll(topics)) {
      return Set.of();
    }
    Map<String, TopicDescription> described = get(admin.describeTopics(topics).allTopicNames());
    Set<TopicPartition> out = new HashSet<>();
    described
        .values()
        .forEach(
            d -> d.partitions().forEach(p -> out.add(new TopicPartition(d.name(), p.partition()))));
    return out;
  }

  /** The group's state, members and their assignment, or null when the group is unknown. */
  ConsumerGroupDescription group(String group) {
    try {
      ConsumerGroupDescription d =
          admin
              .describeConsumerGroups(List.of(group))
              .all()
              .get(CALL_SECONDS, TimeUnit.SECONDS)
              .get(group);
      return d == null || d.groupState() == GroupState.DEAD ? null : d;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof GroupIdNotFoundException) {
        return null;
      }
      throw new IllegalStateException("the broker did not answer: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted asking the broker", e);
    } catch (TimeoutException e) {
      throw new IllegalStateException("the broker did not answer within " + CALL_SECONDS + " s", e);
    }
  }

  /** The IDs of the group's members now. */
  Set<String> members(String group) {
    ConsumerGroupDescription d = group(group);
    return d == null
        ? Set.of()
        : d.members().stream().map(MemberDescription::consumerId).collect(Collectors.toSet());
  }

  /**
   * Whether {@code group} is stable with every partition of {@code topics} assigned and none of
   * {@code goneMembers} (a killed incarnation's) among its members: the service consumes.
   */
  boolean consuming(String group, Collection<String> topics, Set<String> goneMembers) {
    Set<TopicPartition> expected = partitions(topics);
    ConsumerGroupDescription d = group(group);
    if (expected.isEmpty() || d == null || d.groupState() != GroupState.STABLE) {
      return false;
    }
    Set<TopicPartition> assigned = new HashSet<>();
    for (MemberDescription m : d.members()) {
      if (goneMembers.contains(m.consumerId())) {
        return false;
      }
      assigned.addAll(m.assignment().topicPartitions());
    }
    return assigned.containsAll(expected);
  }

  /**
   * Records of {@code topics} that {@code group} has not committed yet (a partition never committed
   * counts whole).
   */
  long lag(String group, Collection<String> topics) {
    Map<TopicPartition, Long> end = endOffsets(topics);
    Map<TopicPartition, OffsetAndMetadata> committed =
        get(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata());
    long lag = 0;
    for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
      OffsetAndMetadata c = committed.get(e.getKey());
      lag += e.getValue() - (c == null ? 0 : c.offset());
    }
    return lag;
  }

  /** The end offset of every partition of {@code topics}, sorted for printing. */
  Map<TopicPartition, Long> endOffsets(Collection<String> topics) {
    Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
    partitions(topics).forEach(tp -> specs.put(tp, OffsetSpec.latest()));
    Map<TopicPartition, Long> out =
        new TreeMap<>(
            (a, b) ->
                a.topic().equals(b.topic())
                    ? Integer.compare(a.partition(), b.partition())
                    : a.topic().compareTo(b.topic()));
    get(admin.listOffsets(specs).all()).forEach((tp, info) -> out.put(tp, info.offset()));
    return out;
  }

  /** Total records on {@code topics}, the sum of their end offsets (nothing is deleted here). */
  long records(Collection<String> topics) {
    return endOffsets(topics).values().stream().mapToLong(Long::longValue).sum();
  }

  private static <T> T get(org.apache.kafka.common.KafkaFuture<T> future) {
    try {
      return future.get(CALL_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted asking the broker", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("the broker did not answer: " + e, e);
    }
  }

  @Override
  public void close() {
    admin.close(Duration.ofSeconds(5));
  }
}
