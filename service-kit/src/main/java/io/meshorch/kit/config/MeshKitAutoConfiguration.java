package io.meshorch.kit.config;

import io.meshorch.contracts.EventCodec;
import io.meshorch.contracts.MalformedEventException;
import io.meshorch.contracts.Topics;
import io.meshorch.kit.health.ConsumerHealthIndicator;
import io.meshorch.kit.health.KafkaReachabilityHealthIndicator;
import io.meshorch.kit.messaging.AssignmentReplay;
import io.meshorch.kit.messaging.ConsumerProgress;
import io.meshorch.kit.messaging.InboundDispatcher;
import io.meshorch.kit.messaging.KafkaDeadLetters;
import io.meshorch.kit.messaging.KafkaEventPublisher;
import io.meshorch.kit.messaging.StepResumer;
import io.meshorch.kit.messaging.TopicReplayer;
import io.meshorch.kit.messaging.UnprocessableRecordException;
import io.meshorch.kit.messaging.UnprocessableRecords;
import io.meshorch.kit.messaging.UnreadableRecordAnswer;
import io.meshorch.kit.metrics.MeshMetrics;
import io.meshorch.kit.port.DeadLetterPort;
import io.meshorch.kit.port.EventPublisherPort;
import io.meshorch.kit.port.SecretStore;
import io.meshorch.kit.retry.Backoff;
import io.meshorch.kit.secrets.FileSecretStore;
import io.meshorch.kit.step.DeletionRequests;
import io.meshorch.kit.step.OwnTopicObserver;
import io.meshorch.kit.step.Recheck;
import io.meshorch.kit.step.StepEngine;
import io.meshorch.kit.step.StepJournal;
import io.meshorch.kit.step.StepRoute;
import io.meshorch.kit.step.StepRoutes;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.annotation.EnableKafka;
import org.springframework.kafka.config.ConcurrentKafkaListenerContainerFactory;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.core.MicrometerConsumerListener;
import org.springframework.kafka.core.MicrometerProducerListener;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.kafka.support.ExponentialBackOffWithMaxRetries;

/**
 * Wires a service onto the mesh bus: topics (own topic plus dead-letter twins, auto-creation off),
 * an idempotent producer, the step journal and engine, and the listener container factory whose
 * consumer never waits for a step: a record is acknowledged (with its batch) as soon as its steps
 * are recorded as started; steps are resumed from the own topic whenever partitions are assigned;
 * what cannot be processed goes to the dead-letter topic after bounded retries, and its mesh is
 * answered.
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

  /** The product metrics, in the service's meter registry when it has one (Actuator). */
  @Bean
  MeshMetrics meshMetrics(ObjectProvider<MeterRegistry> registry, MeshServiceProperties props) {
    MeterRegistry r = registry.getIfAvailable();
    return r == null ? MeshMetrics.none() : new MeshMetrics(r, props.name());
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
      KafkaProperties kafka, MeshServiceProperties props, ObjectProvider<MeterRegistry> registry) {
    Map<String, Object> config = new HashMap<>(kafka.buildProducerProperties());
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.put(ProducerConfig.CLIENT_ID_CONFIG, props.name() + "-producer");
    // send() must not block longer than a publish may take when the broker is away.
    config.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, props.publishTimeout().toMillis());
    DefaultKafkaProducerFactory<String, byte[]> producers =
        new DefaultKafkaProducerFactory<>(
            config, new StringSerializer(), new ByteArraySerializer());
    registry.ifAvailable(
        r ->
            producers.addListener(
                new MicrometerProducerListener<>(r, List.of(Tag.of("service", props.name())))));
    return new KafkaTemplate<>(producers);
  }

  @Bean
  TopicReplayer topicReplayer(KafkaProperties kafka, EventCodec codec) {
    return new TopicReplayer(kafka.buildConsumerProperties(), codec);
  }

  /** Started and finished steps; filled from the own topic when partitions are assigned. */
  @Bean
  StepJournal stepJournal(ObjectProvider<OwnTopicObserver> observers) {
    return new StepJournal(
        observers
            .orderedStream()
            .<java.util.function.Consumer<io.meshorch.contracts.EventEnvelope>>map(o -> o::observe)
            .toList());
  }

  @Bean
  @ConditionalOnMissingBean
  EventPublisherPort eventPublisher(
      KafkaTemplate<String, byte[]> meshKafkaTemplate,
      EventCodec codec,
      MeshServiceProperties props,
      StepJournal journal,
      MeshMetrics metrics) {
    return new KafkaEventPublisher(
        meshKafkaTemplate, codec, props.topic(), props.publishTimeout(), journal, metrics);
  }

  @Bean
  @ConditionalOnMissingBean
  DeadLetterPort deadLetterPort(
      KafkaTemplate<String, byte[]> meshKafkaTemplate,
      EventCodec codec,
      MeshServiceProperties props) {
    return new KafkaDeadLetters(meshKafkaTemplate, codec, props.publishTimeout());
  }

  @Bean
  StepEngine stepEngine(
      EventPublisherPort publisher,
      DeadLetterPort deadLetters,
      MeshServiceProperties props,
      MeshMetrics metrics) {
    MeshServiceProperties.Recheck r = props.recheck();
    MeshServiceProperties.Retry retry = props.stepRetry();
    return new StepEngine(
        publisher,
        deadLetters,
        props.name(),
        props.workers(),
        new Recheck(r.first(), r.max(), r.multiplier()),
        new Backoff(retry.attempts(), retry.initialDelay(), retry.maxDelay(), 2.0),
        metrics);
  }

  /** Stops the steps after the listener containers stopped: nothing new comes in, nothing fails. */
  @Bean
  SmartLifecycle stepEngineLifecycle(StepEngine engine, MeshServiceProperties props) {
    return new StepEngineLifecycle(engine, props.stopGrace());
  }

  @Bean
  StepRoutes stepRoutes(ObjectProvider<StepRoute> routes) {
    return new StepRoutes(routes.orderedStream().toList());
  }

  @Bean
  ConsumerProgress consumerProgress() {
    return new ConsumerProgress();
  }

  @Bean
  @ConditionalOnMissingBean
  UnreadableRecordAnswer unreadableRecordAnswer() {
    return UnreadableRecordAnswer.NONE;
  }

  /** The requests the service has read: which clusters are being deleted. */
  @Bean
  DeletionRequests deletionRequests() {
    return new DeletionRequests();
  }

  @Bean
  InboundDispatcher inboundDispatcher(
      EventCodec codec,
      StepRoutes routes,
      StepJournal journal,
      StepEngine engine,
      EventPublisherPort publisher,
      ConsumerProgress progress,
      MeshServiceProperties props,
      MeshMetrics metrics,
      DeletionRequests deletions) {
    return new InboundDispatcher(
        codec,
        routes,
        journal,
        engine,
        publisher,
        progress,
        props.name(),
        props.maxRecordBytes(),
        metrics,
        deletions);
  }

  @Bean
  StepResumer stepResumer(
      TopicReplayer replayer,
      EventCodec codec,
      StepRoutes routes,
      StepJournal journal,
      StepEngine engine,
      DeletionRequests deletions,
      ObjectProvider<AssignmentReplay> replays,
      MeshServiceProperties props) {
    return new StepResumer(
        replayer,
        codec,
        routes,
        journal,
        engine,
        deletions,
        replays.orderedStream().toList(),
        props.topic(),
        props.replayTimeout());
  }

  @Bean(CONTAINER_FACTORY)
  ConcurrentKafkaListenerContainerFactory<String, byte[]> meshListenerContainerFactory(
      KafkaProperties kafka,
      MeshServiceProperties props,
      KafkaTemplate<String, byte[]> meshKafkaTemplate,
      StepResumer resumer,
      EventCodec codec,
      StepRoutes routes,
      EventPublisherPort publisher,
      UnreadableRecordAnswer unreadable,
      ConsumerProgress progress,
      ObjectProvider<MeterRegistry> registry) {
    Map<String, Object> config = new HashMap<>(kafka.buildConsumerProperties());
    config.put(ConsumerConfig.GROUP_ID_CONFIG, props.consumerGroup());
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    ConcurrentKafkaListenerContainerFactory<String, byte[]> factory =
        new ConcurrentKafkaListenerContainerFactory<>();
    DefaultKafkaConsumerFactory<String, byte[]> consumers =
        new DefaultKafkaConsumerFactory<>(
            config, new StringDeserializer(), new ByteArrayDeserializer());
    // The Kafka client's metrics, consumer lag among them
    // (kafka_consumer_fetch_manager_records_lag{topic,partition}, ..._records_lag_max).
    registry.ifAvailable(
        r ->
            consumers.addListener(
                new MicrometerConsumerListener<>(r, List.of(Tag.of("service", props.name())))));
    factory.setConsumerFactory(consumers);
    // The listener returns as soon as a record's steps are recorded as started, so offsets are
    // committed per poll batch, in order; no step ever holds a record (or pauses the consumer).
    factory.getContainerProperties().setAckMode(ContainerProperties.AckMode.BATCH);
    // spring-kafka makes a @KafkaListener's id its group (idIsGroup), over the consumer's
    // group.id: every service's listener is named after the service, so mesh.service.group would
    // never take effect (a "fresh" group would silently go on in the old one). The kit's group
    // wins, set after the endpoint's.
    factory.setContainerCustomizer(
        container -> container.getContainerProperties().setGroupId(props.consumerGroup()));
    factory.getContainerProperties().setConsumerRebalanceListener(resumer);
    DeadLetterPublishingRecoverer deadLetters =
        new DeadLetterPublishingRecoverer(
            meshKafkaTemplate,
            (record, e) -> new TopicPartition(Topics.deadLetter(record.topic()), -1));
    deadLetters.setHeadersFunction(
        (record, e) -> {
          var headers = new org.apache.kafka.common.header.internals.RecordHeaders();
          headers.add(
              KafkaDeadLetters.REASON_HEADER,
              UnprocessableRecords.reason(e).getBytes(StandardCharsets.UTF_8));
          return headers;
        });
    MeshServiceProperties.RecordRetry retry = props.recordRetry();
    ExponentialBackOffWithMaxRetries backOff =
        new ExponentialBackOffWithMaxRetries(retry.attempts() - 1);
    backOff.setInitialInterval(retry.initialDelay().toMillis());
    backOff.setMultiplier(2.0);
    DefaultErrorHandler handler =
        new DefaultErrorHandler(
            new UnprocessableRecords(
                deadLetters, codec, routes, publisher, unreadable, progress, props.name()),
            backOff);
    handler.addNotRetryableExceptions(
        MalformedEventException.class, UnprocessableRecordException.class);
    factory.setCommonErrorHandler(handler);
    return factory;
  }

  @Bean
  @ConditionalOnMissingBean
  SecretStore secretStore(MeshServiceProperties props) {
    return new FileSecretStore(props.secretsDir());
  }

  /** Consumer health, where Spring Boot's health support is present. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
  static class Health {
    @Bean(destroyMethod = "close")
    Admin meshHealthAdmin(KafkaProperties kafka, MeshServiceProperties props) {
      Map<String, Object> config = new HashMap<>(kafka.buildAdminProperties());
      config.put("client.id", props.name() + "-health");
      config.put("request.timeout.ms", 5_000);
      config.put("default.api.timeout.ms", 5_000);
      return Admin.create(config);
    }

    @Bean
    ConsumerHealthIndicator meshConsumerHealthIndicator(
        Admin meshHealthAdmin,
        MeshServiceProperties props,
        ConsumerProgress progress,
        KafkaListenerEndpointRegistry listeners) {
      return new ConsumerHealthIndicator(
          meshHealthAdmin,
          props.consumerGroup(),
          () ->
              listeners.getListenerContainers().stream()
                  .flatMap(c -> Arrays.stream(c.getContainerProperties().getTopics()))
                  .distinct()
                  .toList(),
          progress,
          props.stallTimeout(),
          Duration.ofSeconds(5));
    }

    /**
     * Whether the bus answers, as the health contributor {@code kafka}; services put it in their
     * readiness group ({@code management.endpoint.health.group.readiness.include}).
     */
    @Bean
    KafkaReachabilityHealthIndicator kafkaHealthIndicator(Admin meshHealthAdmin) {
      return new KafkaReachabilityHealthIndicator(meshHealthAdmin, Duration.ofSeconds(3));
    }
  }
}
