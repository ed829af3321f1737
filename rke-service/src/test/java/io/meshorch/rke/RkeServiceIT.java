package io.meshorch.rke;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.meshorch.contracts.ClusterSpec;
import io.meshorch.contracts.ClusterUp;
import io.meshorch.contracts.EventCodec;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.NodeInfo;
import io.meshorch.contracts.Topics;
import io.meshorch.contracts.VmsReady;
import io.meshorch.rke.support.TestVm;
import io.meshorch.sandbox.kube.RkeStandInScript;
import io.meshorch.sandbox.kube.SandboxKube;
import io.meshorch.testkit.EventProbe;
import io.meshorch.testkit.Samples;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
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
 * rke-service through Kafka against real protocol peers: SSH daemons as nodes (host keys pinned
 * from the event) and the sandbox's rke stand-in bringing up an API server.
 */
@SpringBootTest(
    classes = RkeServiceApplication.class,
    properties = {
      "spring.config.name=" + RkeServiceApplication.CONFIG_NAME,
      "spring.kafka.bootstrap-servers=${spring.embedded.kafka.brokers}",
      "server.port=0",
      "mesh.service.declared-topics=" + Topics.INFRA,
      "mesh.ssh.poll-interval=100ms",
      "mesh.ssh.ready-timeout=30s",
    })
@EmbeddedKafka(brokerProperties = "auto.create.topics.enable=false")
class RkeServiceIT {
  private static final Path DIR = createDir();
  private static final KeyPair USER = TestVm.newKey();
  private static final int SSH_PORT = freePort();
  private static final List<TestVm> VMS = new ArrayList<>();
  private static final SandboxKube KUBE = SandboxKube.builder().build().start();
  private static EventProbe probe;

  @Autowired EmbeddedKafkaBroker broker;

  private static Path createDir() {
    try {
      return Files.createTempDirectory("rke-it");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) throws Exception {
    registry.add("mesh.service.secrets-dir", () -> DIR.resolve("secrets").toString());
    registry.add("mesh.ssh.private-key-path", () -> DIR.resolve("id_ecdsa").toString());
    registry.add("mesh.ssh.port", () -> String.valueOf(SSH_PORT));
    registry.add("mesh.rke.work-dir", () -> DIR.resolve("rke").toString());
    Path rke = RkeStandInScript.write(DIR.resolve("bin"), KUBE.rkeControlUrl());
    registry.add("mesh.rke.executable", rke::toString);
    TestVm.writePrivateKey(USER, DIR.resolve("id_ecdsa"));
  }

  @AfterAll
  static void stop() {
    if (probe != null) {
      probe.close();
    }
    VMS.forEach(TestVm::close);
    KUBE.close();
  }

  private void send(EventEnvelope event) throws Exception {
    try (var producer =
        new KafkaProducer<>(
            Map.<String, Object>of("bootstrap.servers", broker.getBrokersAsString()),
            new StringSerializer(),
            new ByteArraySerializer())) {
      producer
          .send(new ProducerRecord<>(Topics.INFRA, event.meshId(), new EventCodec().encode(event)))
          .get();
    }
  }

  @Test
  void bringsUpKubernetesOnNodesReachedOverSshAndKeepsTheKubeconfigOffTheBus() throws Exception {
    probe = new EventProbe(broker.getBrokersAsString(), List.of(Topics.RKE));
    ClusterSpec east = Samples.cluster("east", 1, 2);
    List<NodeInfo> nodes = new ArrayList<>();
    for (NodeInfo n : Samples.nodes("it", east)) {
      TestVm vm = TestVm.start(n.address(), SSH_PORT, USER.getPublic());
      VMS.add(vm);
      nodes.add(
          new NodeInfo(n.name(), n.serverId(), n.portId(), n.address(), List.of(vm.fingerprint())));
    }
    EventEnvelope vmsReady =
        EventEnvelope.create(
            "it", "east", UUID.randomUUID(), "infra-service", new VmsReady(east, "stack-1", nodes));

    send(vmsReady);

    EventEnvelope up = probe.await(Duration.ofSeconds(60), e -> e.payload() instanceof ClusterUp);
    ClusterUp clusterUp = (ClusterUp) up.payload();
    assertThat(up.causationId()).isEqualTo(vmsReady.eventId());
    assertThat(clusterUp.kubeconfigRef()).isEqualTo("meshes/it/clusters/east/kubeconfig");
    String kubeconfig = Files.readString(DIR.resolve("secrets/meshes/it/clusters/east/kubeconfig"));
    try (KubernetesClient client =
        new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(kubeconfig)).build()) {
      assertThat(client.nodes().list().getItems())
          .extracting(n -> n.getMetadata().getName())
          .containsExactlyInAnyOrder("mesh-it-east-node-0", "mesh-it-east-node-1");
    }
    assertThat(Files.readString(DIR.resolve("rke/it/east/cluster.yml")))
        .contains("plugin: none", east.podCidr());
    assertThat(DIR.resolve("rke/it/east/kube_config_cluster.yml")).doesNotExist();
    String token =
        kubeconfig
            .lines()
            .filter(l -> l.contains("token:"))
            .findFirst()
            .orElseThrow()
            .split(":", 2)[1]
            .trim()
            .replace("\"", "");
    assertThat(probe.records())
        .allSatisfy(
            r ->
                assertThat(new String(r.value(), StandardCharsets.UTF_8))
                    .doesNotContain(token)
                    .doesNotContain("PRIVATE KEY"));
  }
}
