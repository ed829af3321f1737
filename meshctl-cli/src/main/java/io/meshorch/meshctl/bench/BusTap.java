package io.meshorch.meshctl.bench;

import io.meshorch.contracts.EventCodec;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.MalformedEventException;
import io.meshorch.contracts.MeshFailed;
import io.meshorch.contracts.MeshReady;
import io.meshorch.contracts.MeshRejected;
import io.meshorch.contracts.MeshRequested;
import io.meshorch.contracts.UnknownEventTypeException;
import io.meshorch.meshctl.follow.LateTopics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Records every event published on the mesh topics from the moment it is created, with its Kafka
 * record timestamp, on a thread of its own (no consumer group: it leaves no offsets behind).
 * Thread-safe.
 */
public final class BusTap implements AutoCloseable {
  private final KafkaConsumer<String, byte[]> consumer;
  private final EventCodec codec = new EventCodec();
  private final List<BusRecord> records = new ArrayList<>();
  private final Map<String, BusRecord> outcomes = new HashMap<>();
  private final Map<String, BusRecord> requests = new HashMap<>();
  private final Thread thread;
  private volatile boolean closed;

  /** Positions at the current end of every partition of {@code topics} and starts reading. */
  public BusTap(String bootstrapServers, Collection<String> topics) {
    consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                false,
                ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG,
                false,
                ConsumerConfig.CLIENT_ID_CONFIG,
                "meshctl-bench-" + UUID.randomUUID(),
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG,
                5_000),
            new StringDeserializer(),
            new ByteArrayDeserializer());
    List<TopicPartition> partitions = new ArrayList<>();
    for (String topic : topics) {
      partitionsOf(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
    }
    consumer.assign(partitions);
    consumer.seekToEnd(partitions);
    partitions.forEach(consumer::position); // resolve now, before anything is published
    thread = new Thread(this::run, "bench-bus-tap");
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * The partitions of {@code topic}, which its service declared, looked for as long as a just
   * declared topic may take ({@link LateTopics}). A tap without one of its topics would miss its
   * events silently: it refuses to start.
   */
  private List<PartitionInfo> partitionsOf(String topic) {
    Optional<List<PartitionInfo>> found;
    try {
      found =
          LateTopics.await(
              () ->
                  Optional.of(consumer.partitionsFor(topic, Duration.ofSeconds(30)))
                      .filter(partitions -> !partitions.isEmpty()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      consumer.close();
      throw new IllegalStateException("interrupted while looking for topic " + topic, e);
    }
    if (found.isEmpty()) {
      consumer.close();
      throw new IllegalStateException("topic " + topic + " does not exist: no service declared it");
    }
    return found.get();
  }

  private void run() {
    try {
      while (!closed) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
          EventEnvelope event;
          try {
            event = codec.decode(r.value());
          } catch (UnknownEventTypeException | MalformedEventException e) {
            continue;
          }
          add(
              new BusRecord(
                  r.topic(),
                  r.partition(),
                  r.offset(),
                  Instant.ofEpochMilli(r.timestamp()),
                  event));
        }
      }
    } catch (WakeupException e) {
      // closing
    } finally {
      consumer.close();
    }
  }

  private synchronized void add(BusRecord record) {
    records.add(record);
    Object payload = record.event().payload();
    if (payload instanceof MeshRequested) {
      requests.putIfAbsent(record.meshId(), record);
    } else if (payload instanceof MeshReady
        || payload instanceof MeshFailed
        || payload instanceof MeshRejected) {
      outcomes.putIfAbsent(record.meshId(), record);
    }
    notifyAll();
  }

  /** Everything recorded so far, in arrival order. */
  public synchronized List<BusRecord> records() {
    return List.copyOf(records);
  }

  /** The records of the meshes in {@code meshIds}, in arrival order. */
  public synchronized List<BusRecord> records(Collection<String> meshIds) {
    return records.stream().filter(r -> meshIds.contains(r.meshId())).toList();
  }

  /** The first {@code MeshRequested} of {@code meshId} seen on the bus. */
  public synchronized Optional<BusRecord> request(String meshId) {
    return Optional.ofNullable(requests.get(meshId));
  }

  /** The first {@code MeshReady}, {@code MeshFailed} or {@code MeshRejected} of {@code meshId}. */
  public synchronized Optional<BusRecord> outcome(String meshId) {
    return Optional.ofNullable(outcomes.get(meshId));
  }

  /**
   * Waits until every mesh of {@code meshIds} has an outcome or {@code timeout} passed, calling
   * {@code progress} with the number of outcomes about every {@code every}.
   *
   * @return how many have an outcome
   */
  public int awaitOutcomes(
      Collection<String> meshIds, Duration timeout, Duration every, Consumer<Integer> progress)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    long nextReport = System.nanoTime() + every.toNanos();
    synchronized (this) {
      while (true) {
        int done = (int) meshIds.stream().filter(outcomes::containsKey).count();
        long now = System.nanoTime();
        if (done == meshIds.size() || now >= deadline) {
          return done;
        }
        if (now >= nextReport) {
          progress.accept(done);
          nextReport = now + every.toNanos();
        }
        long wait = Math.min(deadline, nextReport) - now;
        TimeUnit.NANOSECONDS.timedWait(this, Math.max(1, wait));
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    consumer.wakeup();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
