package io.meshorch.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalKafkaBrokerTest {
  @TempDir Path data;

  /**
   * Kafka ends the process on a fatal fault; local mode's user must learn why. A child JVM starts a
   * broker whose controller port another socket holds (as the sandbox's servers once took it).
   */
  @Test
  void aFatalBrokerFaultSaysWhyBeforeTheProcessStops() throws Exception {
    Process child =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                BrokerOnATakenPort.class.getName(),
                data.toString())
            .redirectErrorStream(true)
            .start();
    String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

    assertThat(child.waitFor(2, TimeUnit.MINUTES)).as("child ended").isTrue();
    assertThat(child.exitValue()).as("exit code").isNotZero();
    assertThat(output)
        .contains("local Kafka broker in " + data + ": fatal error, the process stops (exit 1)")
        .doesNotContain("still running");
  }

  /** A broker whose controller port is held by another socket. */
  static final class BrokerOnATakenPort {
    public static void main(String[] args) throws Exception {
      LocalKafkaBroker broker = new LocalKafkaBroker(Path.of(args[0]));
      try (ServerSocket taken = new ServerSocket()) {
        taken.bind(new InetSocketAddress("127.0.0.1", broker.controllerPort()));
        broker.start();
        Thread.sleep(60_000);
        System.out.println("still running");
      }
    }
  }

  @Test
  void keepsEventsOnDiskAcrossRestarts() throws Exception {
    try (LocalKafkaBroker broker = new LocalKafkaBroker(data).start()) {
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
        admin.createTopics(List.of(new NewTopic("mesh.test", 1, (short) 1))).all().get();
      }
      try (var producer =
          new KafkaProducer<>(
              Map.<String, Object>of("bootstrap.servers", broker.bootstrapServers()),
              new StringSerializer(),
              new StringSerializer())) {
        producer.send(new ProducerRecord<>("mesh.test", "demo", "first run")).get();
      }
    }

    try (LocalKafkaBroker broker = new LocalKafkaBroker(data).start()) {
      assertThat(readAll(broker.bootstrapServers(), "mesh.test")).containsExactly("first run");
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
        assertThat(admin.listTopics().names().get()).contains("mesh.test");
      }
    }
  }

  @Test
  void answersOnTheAddressItAnnouncedBeforeStarting() throws Exception {
    LocalKafkaBroker broker = new LocalKafkaBroker(data);
    String announced = broker.bootstrapServers();
    try (broker) {
      broker.start();
      assertThat(broker.bootstrapServers()).isEqualTo(announced);
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", announced))) {
        assertThat(admin.describeCluster().nodes().get()).hasSize(1);
      }
    }
  }

  @Test
  void doesNotCreateTopicsOnDemand() throws Exception {
    try (LocalKafkaBroker broker = new LocalKafkaBroker(data).start();
        Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
      assertThat(readAll(broker.bootstrapServers(), "mesh.never-declared")).isEmpty();
      Set<String> names = admin.listTopics().names().get();
      assertThat(names).doesNotContain("mesh.never-declared");
    }
  }

  private static List<String> readAll(String bootstrap, String topic) {
    List<String> values = new ArrayList<>();
    try (var consumer =
        new KafkaConsumer<>(
            Map.<String, Object>of(
                "bootstrap.servers",
                bootstrap,
                "group.id",
                "t-" + UUID.randomUUID(),
                "auto.offset.reset",
                "earliest",
                "allow.auto.create.topics",
                "false"),
            new StringDeserializer(),
            new StringDeserializer())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(8).toNanos();
      while (System.nanoTime() < deadline && values.isEmpty()) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
          values.add(r.value());
        }
      }
    }
    return values;
  }
}
