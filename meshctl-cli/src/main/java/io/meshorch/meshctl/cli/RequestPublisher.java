package io.meshorch.meshctl.cli;

import io.meshorch.contracts.EventCodec;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.Topics;
import io.meshorch.meshctl.follow.LateTopics;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Publishes a user request on {@code mesh.requests}, keyed by mesh ID, like any client may. */
final class RequestPublisher {
  private RequestPublisher() {}

  static void publish(String bootstrapServers, EventEnvelope request) throws Exception {
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
      if (!requestsTopicExists(admin)) {
        throw new IllegalStateException(
            "topic "
                + Topics.REQUESTS
                + " does not exist on "
                + bootstrapServers
                + ": is infra-service running? (it declares the topic)");
      }
    }
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers,
                ProducerConfig.ACKS_CONFIG,
                "all",
                ProducerConfig.MAX_BLOCK_MS_CONFIG,
                15_000),
            new StringSerializer(),
            new ByteArraySerializer())) {
      ProducerRecord<String, byte[]> record =
          new ProducerRecord<>(Topics.REQUESTS, request.meshId(), new EventCodec().encode(request));
      record.headers().add(Topics.TYPE_HEADER, request.type().getBytes(StandardCharsets.UTF_8));
      producer.send(record).get(30, TimeUnit.SECONDS);
    }
  }

  /** Whether {@code mesh.requests} exists, looked for as long as a just declared topic may take. */
  private static boolean requestsTopicExists(Admin admin) throws Exception {
    return LateTopics.await(
            () ->
                admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(Topics.REQUESTS)
                    ? Optional.of(Topics.REQUESTS)
                    : Optional.<String>empty())
        .isPresent();
  }
}
