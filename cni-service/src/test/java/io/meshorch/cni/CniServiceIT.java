package io.meshorch.cni;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.meshorch.cni.support.CiliumPlayer;
import io.meshorch.contracts.CiliumReady;
import io.meshorch.contracts.ClusterFailed;
import io.meshorch.contracts.ClusterSpec;
import io.meshorch.contracts.ClusterUp;
import io.meshorch.contracts.EventCodec;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.Stage;
import io.meshorch.contracts.Topics;
import io.meshorch.kit.port.SecretStore;
import io.meshorch.testkit.EventProbe;
import io.meshorch.testkit.Kubeconfigs;
import io.meshorch.testkit.Samples;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
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
    classes = CniServiceApplication.class,
    properties = {
      "spring.config.name=" + CniServiceApplication.CONFIG_NAME,
      "spring.kafka.bootstrap-servers=${spring.embedded.kafka.brokers}",
      "mesh.service.declared-topics=" + Topics.RKE,
      "server.port=0",
      "mesh.cilium.poll-interval=100ms",
      "mesh.cilium.ready-timeout=20s",
    })
@EmbeddedKafka(brokerProperties = "auto.create.topics.enable=false")
class CniServiceIT {
  private static final EventCodec CODEC = new EventCodec();

  @TempDir static Path secrets;

  private static KubernetesMockServer api;
  private static KubernetesClient apiClient;
  private static CiliumPlayer kubelet;
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
    kubelet = new CiliumPlayer(apiClient, 2).start(Duration.ofMillis(100));
    probe = new EventProbe(broker.getBrokersAsString(), List.of(Topics.CNI));
  }

  @AfterAll
  static void stopPeers() {
    probe.close();
    kubelet.close();
    apiClient.close();
    api.destroy();
  }

  private static EventEnvelope clusterUp(String meshId, ClusterSpec spec, String kubeconfigRef) {
    return EventEnvelope.create(
        meshId,
        spec.name(),
        UUID.randomUUID(),
        "rke-service",
        new ClusterUp(
            spec, Samples.nodes(meshId, spec), "https://127.10.1.10:6443", kubeconfigRef));
  }

  private void send(EventEnvelope event) throws Exception {
    try (var producer =
        new KafkaProducer<>(
            Map.<String, Object>of("bootstrap.servers", broker.getBrokersAsString()),
            new StringSerializer(),
            new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(Topics.RKE, event.meshId(), CODEC.encode(event))).get();
    }
  }

  @Test
  void answersClusterUpWithCiliumReadyAfterInstallingCiliumWithTheMeshCa() throws Exception {
    String ref = "meshes/it/clusters/east/kubeconfig";
    secretStore.put(
        ref,
        Kubeconfigs.pointingAt(apiClient.getConfiguration().getMasterUrl())
            .getBytes(StandardCharsets.UTF_8));
    ClusterSpec east = Samples.cluster("east", 1, 2);
    EventEnvelope in = clusterUp("it", east, ref);

    send(in);
    EventEnvelope out =
        probe.await(
            Duration.ofSeconds(60),
            e -> in.eventId().equals(e.causationId()) && e.payload() instanceof CiliumReady);
    send(in);
    EventEnvelope marker = clusterUp("it-marker", east, "meshes/it/clusters/none/kubeconfig");
    send(marker);
    probe.await(Duration.ofSeconds(30), e -> marker.eventId().equals(e.causationId()));

    assertThat(out.payload())
        .isEqualTo(new CiliumReady(east, Samples.nodes("it", east), ref, "1.18.2"));
    assertThat(out.cluster()).isEqualTo("east");
    assertThat(out.producer()).isEqualTo("cni-service");
    assertThat(probe.eventsOf(CiliumReady.class))
        .filteredOn(e -> in.eventId().equals(e.causationId()))
        .hasSize(1);
    ConfigMap config =
        apiClient.configMaps().inNamespace("kube-system").withName("cilium-config").get();
    assertThat(config.getData())
        .containsEntry("cluster-name", "east")
        .containsEntry("cluster-id", "1")
        .containsEntry("cluster-pool-ipv4-cidr", east.podCidr());
    String meshCa =
        new String(secretStore.get("meshes/it/cilium-ca").orElseThrow(), StandardCharsets.UTF_8);
    Secret caSecret = apiClient.secrets().inNamespace("kube-system").withName("cilium-ca").get();
    String caKey =
        new String(
            Base64.getDecoder().decode(caSecret.getData().get("ca.key")), StandardCharsets.UTF_8);
    assertThat(meshCa).contains(caKey);
    String keyBody = caKey.lines().skip(1).findFirst().orElseThrow();
    assertThat(probe.records())
        .allSatisfy(
            r ->
                assertThat(new String(r.value(), StandardCharsets.UTF_8))
                    .doesNotContain(keyBody)
                    .doesNotContain("PRIVATE KEY")
                    .doesNotContain("not-a-real-token"));
  }

  @Test
  void reportsAClusterWithoutKubeconfigAsFailed() throws Exception {
    EventEnvelope in =
        clusterUp("it-missing", Samples.cluster("west", 2, 1), "meshes/x/clusters/west/kubeconfig");

    send(in);

    EventEnvelope out =
        probe.await(
            Duration.ofSeconds(30),
            e -> in.eventId().equals(e.causationId()) && e.payload() instanceof ClusterFailed);
    ClusterFailed failed = (ClusterFailed) out.payload();
    assertThat(failed.stage()).isEqualTo(Stage.CNI);
    assertThat(failed.code()).isEqualTo("KUBECONFIG_MISSING");
    assertThat(failed.retryable()).isFalse();
    assertThat(out.cluster()).isEqualTo("west");
  }
}
