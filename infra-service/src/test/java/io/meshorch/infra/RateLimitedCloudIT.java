package io.meshorch.infra;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshorch.contracts.EventCodec;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.MeshRequested;
import io.meshorch.contracts.Topics;
import io.meshorch.contracts.VmsReady;
import io.meshorch.sandbox.openstack.SandboxCloud;
import io.meshorch.testkit.EventProbe;
import io.meshorch.testkit.Samples;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * infra-service against a cloud whose front end limits the project to 10 requests/s (bursts of 5):
 * paced at 6/s in bursts of 2 (a margin for requests that the network bunches), it builds a
 * four-cluster mesh, whose stack polls alone would ask for 20/s, and the cloud refuses nothing.
 */
@SpringBootTest(
    classes = InfraServiceApplication.class,
    webEnvironment = SpringBootTest.WebEnvironment.NONE,
    properties = {
      "spring.config.name=" + InfraServiceApplication.CONFIG_NAME,
      "spring.kafka.bootstrap-servers=${spring.embedded.kafka.brokers}",
      "mesh.service.declared-topics=" + Topics.REQUESTS + "," + Topics.LB,
      "mesh.openstack.cloud=sandbox",
      "mesh.openstack.rate-limit=6",
      "mesh.openstack.rate-limit-burst=2",
      "mesh.service.recheck.max=200ms",
    })
@EmbeddedKafka(brokerProperties = "auto.create.topics.enable=false")
class RateLimitedCloudIT {
  private static final SandboxCloudFixture SANDBOX =
      SandboxCloudFixture.start("infra-rate-it", Duration.ofSeconds(2), b -> b.rateLimit(10, 5));
  private static final SandboxCloud CLOUD = SANDBOX.cloud();

  @Autowired EmbeddedKafkaBroker broker;

  @DynamicPropertySource
  static void sandbox(DynamicPropertyRegistry registry) {
    registry.add("mesh.openstack.clouds-file", () -> SANDBOX.cloudsYaml().toString());
    registry.add("mesh.service.secrets-dir", () -> SANDBOX.dir().resolve("secrets").toString());
  }

  @AfterAll
  static void stop() {
    CLOUD.close();
  }

  @Test
  void aPacedServiceBuildsEveryClusterAndTheCloudRefusesNoRequest() throws Exception {
    List<String> clusters = List.of("a", "b", "c", "d");
    EventEnvelope request =
        EventEnvelope.create(
            "itrate",
            null,
            null,
            "meshctl",
            new MeshRequested(
                List.of(
                    Samples.cluster("a", 21, 1),
                    Samples.cluster("b", 22, 1),
                    Samples.cluster("c", 23, 1),
                    Samples.cluster("d", 24, 1))));

    try (EventProbe probe = new EventProbe(broker.getBrokersAsString(), List.of(Topics.INFRA));
        var producer =
            new KafkaProducer<>(
                Map.<String, Object>of("bootstrap.servers", broker.getBrokersAsString()),
                new StringSerializer(),
                new ByteArraySerializer())) {
      producer
          .send(
              new ProducerRecord<>(
                  Topics.REQUESTS, request.meshId(), new EventCodec().encode(request)))
          .get();
      for (String cluster : clusters) {
        probe.await(
            Duration.ofSeconds(60),
            e ->
                request.eventId().equals(e.causationId())
                    && cluster.equals(e.cluster())
                    && e.payload() instanceof VmsReady);
      }
    }

    List<SandboxCloud.RequestRecord> served = CLOUD.requests();
    assertThat(served)
        .filteredOn(r -> r.path().endsWith("/stacks") && r.status() == 201)
        .hasSize(4);
    assertThat(served).filteredOn(r -> r.status() == 429).isEmpty();
  }
}
