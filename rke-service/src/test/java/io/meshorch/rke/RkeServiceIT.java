package io.meshorch.rke;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.meshorch.contracts.ClusterFailed;
import io.meshorch.contracts.ClusterSpec;
import io.meshorch.contracts.ClusterUp;
import io.meshorch.contracts.EventCodec;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.NodeInfo;
import io.meshorch.contracts.ProgressReported;
import io.meshorch.contracts.Topics;
import io.meshorch.contracts.VmsReady;
import io.meshorch.kit.port.SecretStore;
import io.meshorch.rke.support.TestVm;
import io.meshorch.sandbox.kube.RkeStandInScript;
import io.meshorch.sandbox.kube.SandboxKube;
import io.meshorch.testkit.EventProbe;
import io.meshorch.testkit.Samples;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.yaml.snakeyaml.Yaml;

/**
 * rke-service through Kafka against real protocol peers: MINA SSH daemons as the nodes (each on its
 * own loopback address, all on the one configured SSH port, host keys pinned from the event) and
 * the sandbox's rke stand-in, which checks cluster.yml like {@code rke up} and brings up an API
 * server.
 */
@SpringBootTest(
    classes = RkeServiceApplication.class,
    properties = {
      "spring.config.name=" + RkeServiceApplication.CONFIG_NAME,
      "spring.kafka.bootstrap-servers=${spring.embedded.kafka.brokers}",
      "server.port=0",
      "mesh.service.declared-topics=" + Topics.INFRA,
      "mesh.ssh.connect-timeout=2s",
      "mesh.ssh.command-timeout=10s",
      "mesh.ssh.poll-interval=100ms",
      "mesh.ssh.ready-timeout=30s",
      "mesh.rke.timeout=60s",
      "mesh.rke.retry-initial-delay=100ms",
    })
@EmbeddedKafka(brokerProperties = "auto.create.topics.enable=false")
class RkeServiceIT {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final Path DIR = createDir();
  private static final KeyPair USER = TestVm.newKey();
  private static final int SSH_PORT = freePort();
  private static final List<TestVm> VMS = new ArrayList<>();
  private static final SandboxKube KUBE = SandboxKube.builder().build().start();
  private static EventProbe probe;

  @Autowired EmbeddedKafkaBroker broker;
  @Autowired SecretStore secrets;

  private static Path createDir() {
    try {
      return Files.createTempDirectory("rke-it");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) throws Exception {
    TestVm.writePrivateKey(USER, DIR.resolve("id_ecdsa"));
    Path rke = RkeStandInScript.write(DIR.resolve("bin"), KUBE.rkeControlUrl());
    registry.add("mesh.service.secrets-dir", () -> DIR.resolve("secrets").toString());
    registry.add("mesh.ssh.private-key-path", () -> DIR.resolve("id_ecdsa").toString());
    registry.add("mesh.ssh.port", () -> String.valueOf(SSH_PORT));
    registry.add("mesh.rke.work-dir", () -> DIR.resolve("rke").toString());
    registry.add("mesh.rke.executable", rke::toString);
  }

  @BeforeAll
  static void startProbe(@Autowired EmbeddedKafkaBroker broker) {
    probe = new EventProbe(broker.getBrokersAsString(), List.of(Topics.RKE));
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

  /** Boots one daemon per node on the node's loopback address and pins its real fingerprint. */
  private static List<NodeInfo> bootNodes(String meshId, ClusterSpec spec) {
    List<NodeInfo> nodes = new ArrayList<>();
    for (NodeInfo n : Samples.nodes(meshId, spec)) {
      TestVm vm = TestVm.start(n.address(), SSH_PORT, USER.getPublic());
      VMS.add(vm);
      nodes.add(
          new NodeInfo(n.name(), n.serverId(), n.portId(), n.address(), List.of(vm.fingerprint())));
    }
    return nodes;
  }

  private static EventEnvelope vmsReady(String meshId, ClusterSpec spec, List<NodeInfo> nodes) {
    return EventEnvelope.create(
        meshId,
        spec.name(),
        UUID.randomUUID(),
        "infra-service",
        new VmsReady(spec, "stack-" + spec.name(), nodes));
  }

  private static EventEnvelope outcomeOf(EventEnvelope cause) {
    return probe.await(
        WAIT,
        e -> cause.eventId().equals(e.causationId()) && !(e.payload() instanceof ProgressReported));
  }

  @Test
  @SuppressWarnings("unchecked")
  void bringsUpKubernetesOnNodesReachedOverSshAndKeepsSecretsOffTheBus() throws Exception {
    ClusterSpec east = Samples.cluster("east", 1, 2);
    List<NodeInfo> nodes = bootNodes("it", east);
    EventEnvelope event = vmsReady("it", east, nodes);

    send(event);

    EventEnvelope up = outcomeOf(event);
    assertThat(up.cluster()).isEqualTo("east");
    assertThat(up.producer()).isEqualTo("rke-service");
    ClusterUp clusterUp = (ClusterUp) up.payload();
    assertThat(clusterUp.cluster()).isEqualTo(east);
    assertThat(clusterUp.nodes()).isEqualTo(nodes);
    assertThat(clusterUp.kubeconfigRef()).isEqualTo("meshes/it/clusters/east/kubeconfig");
    String kubeconfig =
        new String(secrets.get(clusterUp.kubeconfigRef()).orElseThrow(), StandardCharsets.UTF_8);
    assertThat(kubeconfig).contains(clusterUp.apiServerUrl());
    try (KubernetesClient client =
        new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(kubeconfig)).build()) {
      assertThat(client.nodes().list().getItems())
          .extracting(n -> n.getMetadata().getName())
          .containsExactlyInAnyOrder("mesh-it-east-node-0", "mesh-it-east-node-1");
    }
    assertThat(probe.eventsOf(ProgressReported.class))
        .filteredOn(e -> event.eventId().equals(e.causationId()))
        .extracting(e -> ((ProgressReported) e.payload()).message())
        .contains(
            "node mesh-it-east-node-0 ready (docker 24.0.9)",
            "node mesh-it-east-node-1 ready (docker 24.0.9)");

    Path clusterDir = DIR.resolve("rke/it/east");
    Map<String, Object> file = new Yaml().load(Files.readString(clusterDir.resolve("cluster.yml")));
    assertThat((Map<String, Object>) file.get("network")).containsEntry("plugin", "none");
    Map<String, Map<String, Object>> services =
        (Map<String, Map<String, Object>>) file.get("services");
    assertThat(services.get("kube-controller"))
        .containsEntry("cluster_cidr", east.podCidr())
        .containsEntry("service_cluster_ip_range", east.serviceCidr());
    assertThat(services.get("kube-api"))
        .containsEntry("service_cluster_ip_range", east.serviceCidr());
    assertThat(services.get("kubelet")).containsEntry("cluster_dns_server", "10.201.0.10");
    assertThat(file).containsEntry("ssh_key_path", DIR.resolve("id_ecdsa").toString());
    assertThat(clusterDir.resolve("kube_config_cluster.yml")).doesNotExist();
    assertThat(Files.getPosixFilePermissions(clusterDir))
        .isEqualTo(PosixFilePermissions.fromString("rwx------"));
    assertThat(Files.getPosixFilePermissions(clusterDir.resolve("cluster.rkestate")))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));

    List<String> secretLines = new ArrayList<>();
    kubeconfig.lines().map(String::strip).filter(l -> l.length() > 30).forEach(secretLines::add);
    Files.readAllLines(DIR.resolve("id_ecdsa")).stream()
        .filter(l -> !l.startsWith("-----"))
        .forEach(secretLines::add);
    assertThat(secretLines).isNotEmpty();
    assertThat(probe.records())
        .isNotEmpty()
        .allSatisfy(
            r -> {
              String text = new String(r.value(), StandardCharsets.UTF_8);
              assertThat(text).doesNotContain("PRIVATE KEY").doesNotContain("client-key-data");
              secretLines.forEach(line -> assertThat(text).doesNotContain(line));
            });
  }

  @Test
  void refusesANodeWhoseHostKeyIsNotThePinnedOne() throws Exception {
    ClusterSpec west = Samples.cluster("west", 2, 1);
    List<NodeInfo> nodes =
        bootNodes("it2", west).stream()
            .map(
                n ->
                    new NodeInfo(
                        n.name(),
                        n.serverId(),
                        n.portId(),
                        n.address(),
                        List.of(TestVm.fingerprint(TestVm.newKey().getPublic()))))
            .toList();
    EventEnvelope event = vmsReady("it2", west, nodes);

    send(event);

    EventEnvelope failed = outcomeOf(event);
    assertThat(failed.cluster()).isEqualTo("west");
    assertThat(failed.payload())
        .isInstanceOfSatisfying(
            ClusterFailed.class,
            f -> {
              assertThat(f.stage()).isEqualTo("kubernetes");
              assertThat(f.code()).isEqualTo("HOST_KEY_MISMATCH");
              assertThat(f.retryable()).isFalse();
              assertThat(f.reason()).contains("mesh-it2-west-node-0");
            });
    assertThat(VMS.get(VMS.size() - 1).commands()).isZero();
    assertThat(DIR.resolve("rke/it2/west/cluster.yml")).doesNotExist();
  }
}
