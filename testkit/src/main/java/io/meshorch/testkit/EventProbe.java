package io.meshorch.testkit;

import io.meshorch.contracts.EventCodec;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.MeshEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.awaitility.Awaitility;

/**
 * Collects every record on some topics (from the beginning) on a background thread, keeping both
 * the raw bytes (to look for leaked secrets) and the decoded events (to assert their content).
 */
public final class EventProbe implements AutoCloseable {
  private final KafkaConsumer<String, byte[]> consumer;
  private final EventCodec codec = new EventCodec();
  private final List<ConsumerRecord<String, byte[]>> raw = new CopyOnWriteArrayList<>();
  private final List<EventEnvelope> events = new CopyOnWriteArrayList<>();
  private final Thread poller;
  private volatile boolean running = true;

  public EventProbe(String bootstrapServers, Collection<String> topics) {
    this.consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG,
                "probe-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest",
                ConsumerConfig.METADATA_MAX_AGE_CONFIG,
                500),
            new StringDeserializer(),
            new ByteArrayDeserializer());
    consumer.subscribe(new ArrayList<>(topics));
    this.poller = new Thread(this::poll, "event-probe");
    poller.setDaemon(true);
    poller.start();
  }

  private void poll() {
    try {
      while (running) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
          raw.add(record);
          try {
            events.add(codec.decode(record.value()));
          } catch (RuntimeException e) {
            // kept in raw(): tests of malformed records look there
          }
        }
      }
    } catch (WakeupException e) {
      // closing
    } finally {
      consumer.close();
    }
  }

  /** Every decodable event seen so far, in arrival order. */
  public List<EventEnvelope> events() {
    return List.copyOf(events);
  }

  /** Every record seen so far, decodable or not. */
  public List<ConsumerRecord<String, byte[]>> records() {
    return List.copyOf(raw);
  }

  /** Events whose payload is of {@code type}. */
  public <T extends MeshEvent> List<EventEnvelope> eventsOf(Class<T> type) {
    return events.stream().filter(e -> type.isInstance(e.payload())).toList();
  }

  /** Waits up to {@code timeout} for an event matching {@code condition} and returns it. */
  public EventEnvelope await(Duration timeout, Predicate<EventEnvelope> condition) {
    return Awaitility.await()
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(50))
        .until(() -> events.stream().filter(condition).findFirst(), java.util.Optional::isPresent)
        .orElseThrow();
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    try {
      poller.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
