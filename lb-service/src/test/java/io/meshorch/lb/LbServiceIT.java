package io.meshorch.lb;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.meshorch.contracts.CiliumReady;
import io.meshorch.contracts.ClusterFailed;
import io.meshorch.contracts.ClusterSpec;
import io.meshorch.contracts.EventCodec;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.LbIpAssigned;
import io.meshorch.contracts.Stage;
import io.meshorch.contracts.Topics;
import io.meshorch.kit.port.SecretStore;
import io.meshorch.lb.support.MetalLbPlayer;
import io.meshorch.testkit.EventProbe;
import io.meshorch.testkit.Kubeconfigs;
import io.meshorch.testkit.Samples;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

@SpringBootTest(
    classes = LbServiceApplication.class,
    properties = {
      "spring.config.name=" + LbServiceApplication.CONFIG_NAME,
      "spring.kafka.bootstrap-servers=${spring.embedded.kafka.brokers}",
      "mesh.service.declared-topics=" + Topics.CNI,
      "server.port=0",
      "mesh.metallb.poll-interval=100ms",
      "mesh.metallb.controller-timeout=20s",
      "mesh.metallb.ip-timeout=20s",
    })
@EmbeddedKafka(brokerProperties = "auto.create.topics.enable=false")
class LbServiceIT {
  private static final EventCodec CODEC = new EventCodec();

  @TempDir static Path secrets;

  private static KubernetesMockServer api;
  private static KubernetesClient apiClient;
  private static MetalLbPlayer metalLb;
  private static EventProbe probe;

  @Autowired EmbeddedKafkaBroker broker;
  @Autowired SecretStore secretStore;

  @DynamicPropertySource
  static void secretsDir(DynamicPropertyRegistry registry) {
    registry.add("mesh.service.secrets-dir", () -> secrets.toString());
  }

  @BeforeAll
  static void startPeers(@Autowired EmbeddedKafkaBroker broker) {
    api =
        new KubernetesMockServer(
            new Context(),
            new MockWebServer(),
            new HashMap<>(),
            new KubernetesCrudDispatcher(),
            false);
    api.init();
    apiClient = api.createClient();
    metalLb = new MetalLbPlayer(apiClient).start(Duration.ofMillis(100));
    probe = new EventProbe(broker.getBrokersAsString(), List.of(Topics.LB));
  }

  @AfterAll
  static void stopPeers() {
    probe.close();
    metalLb.close();
    apiClient.close();
    api.destroy();
  }

  private EventEnvelope ciliumReady(String meshId, ClusterSpec spec, String kubeconfigRef) {
    return EventEnvelope.create(
        meshId,
        spec.name(),
        UUID.randomUUID(),
        "cni-service",
        new CiliumReady(spec, Samples.nodes(meshId, spec), kubeconfigRef, "1.18.2"));
  }

  private void send(EventEnvelope event) throws Exception {
    try (var producer =
        new KafkaProducer<>(
            Map.<String, Object>of("bootstrap.servers", broker.getBrokersAsString()),
            new StringSerializer(),
            new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(Topics.CNI, event.meshId(), CODEC.encode(event))).get();
    }
  }

  @Test
  void answersCiliumReadyWithThePoolIpOfTheMeshEndpoint() throws Exception {
    String ref = "meshes/it/clusters/east/kubeconfig";
    secretStore.put(
        ref,
        Kubeconfigs.pointingAt(apiClient.getConfiguration().getMasterUrl())
            .getBytes(StandardCharsets.UTF_8));
    ClusterSpec east = Samples.cluster("east", 1, 2);
    EventEnvelope in = ciliumReady("it", east, ref);

    send(in);
    EventEnvelope out =
        probe.await(
            Duration.ofSeconds(60),
            e -> in.eventId().equals(e.causationId()) && e.payload() instanceof LbIpAssigned);
    send(in);
    EventEnvelope marker = ciliumReady("it-marker", east, "meshes/it/clusters/none/kubeconfig");
    send(marker);
    probe.await(Duration.ofSeconds(30), e -> marker.eventId().equals(e.causationId()));

    assertThat(out.payload())
        .isEqualTo(new LbIpAssigned(east, Samples.nodes("it", east), ref, "192.168.51.10", 2379));
    assertThat(out.cluster()).isEqualTo("east");
    assertThat(out.producer()).isEqualTo("lb-service");
    assertThat(probe.eventsOf(LbIpAssigned.class))
        .filteredOn(e -> in.eventId().equals(e.causationId()))
        .hasSize(1);
    assertThat(
            apiClient
                .genericKubernetesResources("metallb.io/v1beta1", "IPAddressPool")
                .inNamespace("metallb-system")
                .withName("mesh-pool")
                .get()
                .<List<String>>get("spec", "addresses"))
        .containsExactly("192.168.51.10-192.168.51.19");
    assertThat(probe.records())
        .allSatisfy(
            r ->
                assertThat(new String(r.value(), StandardCharsets.UTF_8))
                    .doesNotContain("not-a-real-token"));
  }

  @Test
  void reportsAClusterWithoutKubeconfigAsFailed() throws Exception {
    EventEnvelope in =
        ciliumReady(
            "it-missing", Samples.cluster("west", 2, 1), "meshes/x/clusters/west/kubeconfig");

    send(in);

    EventEnvelope out =
        probe.await(
            Duration.ofSeconds(30),
            e -> in.eventId().equals(e.causationId()) && e.payload() instanceof ClusterFailed);
    ClusterFailed failed = (ClusterFailed) out.payload();
    assertThat(failed.stage()).isEqualTo(Stage.LOAD_BALANCER);
    assertThat(failed.code()).isEqualTo("KUBECONFIG_MISSING");
    assertThat(failed.retryable()).isFalse();
    assertThat(out.cluster()).isEqualTo("west");
  }
}
