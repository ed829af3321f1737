package io.meshorch.meshctl;

import io.meshorch.meshctl.local.LocalStack;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;

/**
 * The scenarios on a Kafka broker in a container (the apache/kafka image in KRaft mode), where a
 * Docker engine is available; skipped otherwise.
 */
@Testcontainers(disabledWithoutDocker = true)
class ContainerKafkaMeshE2E extends MeshScenarios {
  private KafkaContainer kafka;

  @Override
  LocalStack startStack(Path dataDir) {
    kafka =
        new KafkaContainer("apache/kafka:4.1.1")
            .withEnv("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false");
    kafka.start();
    return LocalStack.startAgainst(dataDir, kafka.getBootstrapServers());
  }

  @AfterAll
  void stopKafka() {
    if (kafka != null) {
      kafka.stop();
    }
  }
}
