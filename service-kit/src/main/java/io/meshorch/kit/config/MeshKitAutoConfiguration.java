package io.meshorch.kit.config;

import io.meshorch.contracts.EventCodec;
import io.meshorch.contracts.MalformedEventException;
import io.meshorch.contracts.Topics;
import io.meshorch.kit.dedupe.HandledEvents;
import io.meshorch.kit.messaging.InboundDispatcher;
import io.meshorch.kit.messaging.KafkaEventPublisher;
import io.meshorch.kit.messaging.TopicReplayer;
import io.meshorch.kit.port.EventPublisherPort;
import io.meshorch.kit.port.SecretStore;
import io.meshorch.kit.secrets.FileSecretStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.annotation.EnableKafka;
import org.springframework.kafka.config.ConcurrentKafkaListenerContainerFactory;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.util.backoff.ExponentialBackOff;

/**
 * Wires a service onto the mesh bus: topics (own topic plus dead-letter twins, auto-creation off),
 * an idempotent producer, the listener container factory with manual out-of-order acknowledgements
 * and a dead-letter recoverer, the handled-events index rebuilt from the own topic, the handler
 * worker pool and the secret store.
 */
@AutoConfiguration(after = KafkaAutoConfiguration.class)
@EnableKafka
@EnableConfigurationProperties(MeshServiceProperties.class)
public class MeshKitAutoConfiguration {
  /** Name of the container factory services' {@code @KafkaListener}s use. */
  public static final String CONTAINER_FACTORY = "meshListenerContainerFactory";

  @Bean
  @ConditionalOnMissingBean
  EventCodec eventCodec() {
    return new EventCodec();
  }

  @Bean
  KafkaAdmin.NewTopics meshTopics(MeshServiceProperties props) {
    Set<String> names = new LinkedHashSet<>();
    names.add(props.topic());
    names.addAll(props.declaredTopics());
    List<NewTopic> topics = new ArrayList<>();
    for (String name : names) {
      topics.add(new NewTopic(name, props.partitions(), props.replicationFactor()));
      topics.add(new NewTopic(Topics.deadLetter(name), 1, props.replicationFactor()));
    }
    return new KafkaAdmin.NewTopics(topics.toArray(NewTopic[]::new));
  }

  @Bean
  KafkaTemplate<String, byte[]> meshKafkaTemplate(
      KafkaProperties kafka, MeshServiceProperties props) {
    Map<String, Object> config = new HashMap<>(kafka.buildProducerProperties());
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.put(ProducerConfig.CLIENT_ID_CONFIG, props.name() + "-producer");
    return new KafkaTemplate<>(
        new DefaultKafkaProducerFactory<>(
            config, new StringSerializer(), new ByteArraySerializer()));
  }

  @Bean
  TopicReplayer topicReplayer(KafkaProperties kafka, EventCodec codec) {
    return new TopicReplayer(kafka.buildConsumerProperties(), codec);
  }

  /** The index of answered events, rebuilt from this service's own topic before listening. */
  @Bean
  HandledEvents handledEvents(TopicReplayer replayer, MeshServiceProperties props) {
    HandledEvents handled = new HandledEvents();
    replayer.replay(List.of(props.topic()), props.replayTimeout(), handled::record);
    return handled;
  }

  @Bean
  @ConditionalOnMissingBean
  EventPublisherPort eventPublisher(
      KafkaTemplate<String, byte[]> meshKafkaTemplate,
      EventCodec codec,
      MeshServiceProperties props,
      HandledEvents handled) {
    return new KafkaEventPublisher(
        meshKafkaTemplate, codec, props.topic(), props.publishTimeout(), handled);
  }

  @Bean(destroyMethod = "shutdownNow")
  ExecutorService meshWorkers(MeshServiceProperties props) {
    AtomicInteger n = new AtomicInteger();
    ThreadFactory threads =
        r -> {
          Thread t = new Thread(r, props.name() + "-worker-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        };
    return Executors.newFixedThreadPool(props.workers(), threads);
  }

  @Bean
  InboundDispatcher inboundDispatcher(
      EventCodec codec,
      HandledEvents handled,
      ExecutorService meshWorkers,
      EventPublisherPort publisher,
      MeshServiceProperties props) {
    return new InboundDispatcher(codec, handled, meshWorkers, publisher, props.name());
  }

  @Bean(CONTAINER_FACTORY)
  ConcurrentKafkaListenerContainerFactory<String, byte[]> meshListenerContainerFactory(
      KafkaProperties kafka,
      MeshServiceProperties props,
      KafkaTemplate<String, byte[]> meshKafkaTemplate) {
    Map<String, Object> config = new HashMap<>(kafka.buildConsumerProperties());
    config.put(ConsumerConfig.GROUP_ID_CONFIG, props.name());
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    ConcurrentKafkaListenerContainerFactory<String, byte[]> factory =
        new ConcurrentKafkaListenerContainerFactory<>();
    factory.setConsumerFactory(
        new DefaultKafkaConsumerFactory<>(
            config, new StringDeserializer(), new ByteArrayDeserializer()));
    factory.getContainerProperties().setAckMode(ContainerProperties.AckMode.MANUAL);
    // Handlers finish out of order (clusters run in parallel); the container commits each
    // offset only once every earlier one of its partition is acknowledged.
    factory.getContainerProperties().setAsyncAcks(true);
    factory.setCommonErrorHandler(errorHandler(meshKafkaTemplate));
    return factory;
  }

  private static DefaultErrorHandler errorHandler(KafkaTemplate<String, byte[]> template) {
    DeadLetterPublishingRecoverer recoverer =
        new DeadLetterPublishingRecoverer(
            template, (record, e) -> new TopicPartition(Topics.deadLetter(record.topic()), -1));
    ExponentialBackOff backOff = new ExponentialBackOff(500, 2.0);
    backOff.setMaxInterval(5_000);
    backOff.setMaxElapsedTime(20_000);
    DefaultErrorHandler handler = new DefaultErrorHandler(recoverer, backOff);
    handler.addNotRetryableExceptions(MalformedEventException.class);
    return handler;
  }

  @Bean
  @ConditionalOnMissingBean
  SecretStore secretStore(MeshServiceProperties props) {
    return new FileSecretStore(props.secretsDir());
  }
}
