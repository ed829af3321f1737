package io.meshorch.dashboard.messaging;

import io.meshorch.contracts.EventCodec;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.MalformedEventException;
import io.meshorch.contracts.Topics;
import io.meshorch.contracts.UnknownEventTypeException;
import io.meshorch.dashboard.view.MeshBoard;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Reads every mesh topic ({@link Topics#ALL}) into the {@link MeshBoard}, from the start of each
 * partition it gets: the dashboard keeps nothing, so it rebuilds its view from the history on every
 * start. It subscribes with its own consumer group, commits no offsets and never produces. Records
 * that are not events of a type this build knows are skipped (dead letters and newer types are left
 * to their owners).
 */
public final class EventStreamReader implements SmartLifecycle {
  private static final Logger log = LoggerFactory.getLogger(EventStreamReader.class);
  private static final Duration POLL = Duration.ofMillis(500);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

  private final Map<String, Object> consumerSettings;
  private final MeshBoard board;
  private final Consumer<String> changed;
  private final EventCodec codec = new EventCodec();
  private volatile KafkaConsumer<String, byte[]> consumer;
  private volatile Thread thread;

  /**
   * @param consumerSettings Kafka consumer settings (bootstrap servers, security); deserializers,
   *     group and offset handling are set here
   * @param groupId the dashboard's own consumer group
   * @param board the view to feed
   * @param changed told the ID of a mesh whose view may have changed
   */
  public EventStreamReader(
      Map<String, Object> consumerSettings,
      String groupId,
      MeshBoard board,
      Consumer<String> changed) {
    Map<String, Object> settings = new HashMap<>(consumerSettings);
    settings.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    settings.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    settings.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    settings.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    settings.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    settings.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    this.consumerSettings = Map.copyOf(settings);
    this.board = board;
    this.changed = changed;
  }

  @Override
  public synchronized void start() {
    if (thread != null) {
      return;
    }
    consumer = new KafkaConsumer<>(consumerSettings);
    consumer.subscribe(Topics.ALL, new FromTheStart());
    thread = new Thread(this::run, "dashboard-events");
    thread.setDaemon(true);
    thread.start();
    log.info("Reading {} from the start", Topics.ALL);
  }

  private void run() {
    KafkaConsumer<String, byte[]> c = consumer;
    try {
      while (!Thread.currentThread().isInterrupted()) {
        for (ConsumerRecord<String, byte[]> record : c.poll(POLL)) {
          apply(record);
        }
      }
    } catch (WakeupException e) {
      // stop() asked
    } catch (RuntimeException e) {
      log.error("Reading the mesh topics stopped", e);
    } finally {
      c.close();
    }
  }

  private void apply(ConsumerRecord<String, byte[]> record) {
    if (record.value() == null) {
      return;
    }
    EventEnvelope event;
    try {
      event = codec.decode(record.value());
    } catch (UnknownEventTypeException | MalformedEventException e) {
      log.debug(
          "Skipped {}-{}@{}: not an event", record.topic(), record.partition(), record.offset());
      return;
    }
    if (board.apply(event)) {
      changed.accept(event.meshId());
    }
  }

  @Override
  public void stop() {
    Thread t;
    synchronized (this) {
      t = thread;
      thread = null;
    }
    if (t == null) {
      return;
    }
    consumer.wakeup();
    try {
      t.join(STOP_TIMEOUT.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public boolean isRunning() {
    return thread != null;
  }

  /** Every partition the group gives this consumer is read from its first record. */
  private final class FromTheStart implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      consumer.seekToBeginning(partitions);
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      // nothing committed, nothing to do
    }
  }
}
