package io.meshorch.infra;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshorch.contracts.ClusterFailed;
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
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

/**
 * infra-service against a cloud whose front end limits the project's requests while four clusters'
 * stack polls alone would ask for 20/s:
 *
 * <ul>
 *   <li>paced at 6/s in bursts of 2 (a margin for requests that the network bunches) against 10/s
 *       in bursts of 5, it builds the four clusters and the cloud refuses nothing;
 *   <li>with no limit of its own (the default) against 4/s in bursts of 2, the cloud refuses, and
 *       the service, spacing its requests by what the refusals taught, still builds every cluster
 *       within its step retries instead of failing them with {@code OPENSTACK_RATE_LIMITED}.
 * </ul>
 */
@SpringBootTest(
    classes = InfraServiceApplication.class,
    webEnvironment = SpringBootTest.WebEnvironment.NONE,
    properties = {
      "spring.config.name=" + InfraServiceApplication.CONFIG_NAME,
      "spring.kafka.bootstrap-servers=${spring.embedded.kafka.brokers}",
      "mesh.service.declared-topics=" + Topics.REQUESTS + "," + Topics.LB,
      "mesh.openstack.cloud=sandbox",
      "mesh.service.recheck.max=200ms",
    })
@EmbeddedKafka(brokerProperties = "auto.create.topics.enable=false")
class RateLimitedCloudIT {
  private static final SandboxCloudFixture SANDBOX =
      SandboxCloudFixture.start("infra-rate-it", Duration.ofSeconds(2), b -> b);
  private static final SandboxCloud CLOUD = SANDBOX.cloud();

  @DynamicPropertySource
  static void sandbox(DynamicPropertyRegistry registry) {
    registry.add("mesh.openstack.clouds-file", () -> SANDBOX.cloudsYaml().toString());
    registry.add("mesh.service.secrets-dir", () -> SANDBOX.dir().resolve("secrets").toString());
  }

  @AfterAll
  static void stop() {
    CLOUD.close();
  }

  @Nested
  @TestPropertySource(
      properties = {"mesh.openstack.rate-limit=6", "mesh.openstack.rate-limit-burst=2"})
  class Paced {
    @Autowired EmbeddedKafkaBroker broker;

    @Test
    void buildsEveryClusterAndTheCloudRefusesNoRequest() throws Exception {
      List<SandboxCloud.RequestRecord> served = servedWhileBuilding(broker, "itrate", 10, 5);

      assertThat(served)
          .filteredOn(r -> r.path().endsWith("/stacks") && r.status() == 201)
          .hasSize(4);
      assertThat(served).filteredOn(r -> r.status() == 429).isEmpty();
    }
  }

  @Nested
  class Unpaced {
    @Autowired EmbeddedKafkaBroker broker;

    @Test
    void learnsFromTheRefusalsAndBuildsEveryCluster() throws Exception {
      List<SandboxCloud.RequestRecord> served = servedWhileBuilding(broker, "itunpaced", 4, 2);

      assertThat(served)
          .as("the cloud did refuse: the service had no limit of its own")
          .anyMatch(r -> r.status() == 429);
      assertThat(served)
          .filteredOn(r -> r.path().endsWith("/stacks") && r.status() == 201)
          .hasSize(4);
    }
  }

  /**
   * What the cloud served while mesh {@code meshId} was built under a limit of {@code perSecond}
   * requests in bursts of {@code burst}.
   */
  private static List<SandboxCloud.RequestRecord> servedWhileBuilding(
      EmbeddedKafkaBroker broker, String meshId, double perSecond, int burst) throws Exception {
    int before = CLOUD.requests().size();
    CLOUD.rateLimit(perSecond, burst);
    try {
      buildFourClusters(broker, meshId);
    } finally {
      CLOUD.rateLimit(0, 1);
    }
    List<SandboxCloud.RequestRecord> all = CLOUD.requests();
    return all.subList(before, all.size());
  }

  /**
   * Requests mesh {@code meshId} of four one-node clusters and waits for each one's {@code
   * VmsReady}; fails on a {@code ClusterFailed} or after a minute.
   */
  private static void buildFourClusters(EmbeddedKafkaBroker broker, String meshId)
      throws Exception {
    List<String> clusters = List.of("a", "b", "c", "d");
    EventEnvelope request =
        EventEnvelope.create(
            meshId,
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
        EventEnvelope answer =
            probe.await(
                Duration.ofSeconds(60),
                e ->
                    request.eventId().equals(e.causationId())
                        && cluster.equals(e.cluster())
                        && (e.payload() instanceof VmsReady
                            || e.payload() instanceof ClusterFailed));
        assertThat(answer.payload()).as("cluster " + cluster).isInstanceOf(VmsReady.class);
      }
    }
  }
}
