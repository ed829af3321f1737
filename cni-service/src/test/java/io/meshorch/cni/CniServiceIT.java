package io.meshorch.cni;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshorch.contracts.CiliumReady;
import io.meshorch.contracts.ClusterFailed;
import io.meshorch.contracts.ClusterSpec;
import io.meshorch.contracts.ClusterUp;
import io.meshorch.contracts.EventCodec;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.ProgressReported;
import io.meshorch.contracts.Stage;
import io.meshorch.contracts.StepStarted;
import io.meshorch.contracts.Topics;
import io.meshorch.kit.port.SecretStore;
import io.meshorch.sandbox.kube.SandboxKube;
import io.meshorch.sandbox.kube.rke.RkeStandIn;
import io.meshorch.testkit.EventProbe;
import io.meshorch.testkit.Samples;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
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

/**
 * cni-service on an embedded broker against the sandbox's Kubernetes: clusters brought up by the
 * {@code rke} stand-in, whose controllers play kubelet under Cilium's workloads.
 *
 * <p>Re-checks are set to five minutes here, far beyond the second the sandbox needs to run Cilium:
 * a {@code CiliumReady} within {@link #WATCHED} shows that the rollout watch, not the fallback
 * re-check, woke the waiting step.
 */
@SpringBootTest(
    classes = CniServiceApplication.class,
    properties = {
      "spring.config.name=" + CniServiceApplication.CONFIG_NAME,
      "spring.kafka.bootstrap-servers=${spring.embedded.kafka.brokers}",
      "mesh.service.declared-topics=" + Topics.RKE,
      "server.port=0",
      "mesh.service.recheck.first=5m",
      "mesh.service.recheck.max=5m",
      "mesh.cilium.ready-timeout=10m",
    })
@EmbeddedKafka(brokerProperties = "auto.create.topics.enable=false")
class CniServiceIT {
  private static final EventCodec CODEC = new EventCodec();

  /** Well under the re-check pause: only a nudge from the watch can make it. */
  private static final Duration WATCHED = Duration.ofSeconds(45);

  @TempDir static Path work;

  private static SandboxKube kube;
  private static EventProbe probe;

  @Autowired EmbeddedKafkaBroker broker;
  @Autowired SecretStore secretStore;

  @DynamicPropertySource
  static void secretsDir(DynamicPropertyRegistry registry) {
    registry.add("mesh.service.secrets-dir", () -> work.resolve("secrets").toString());
  }

  @BeforeAll
  static void startPeers(@Autowired EmbeddedKafkaBroker broker) {
    kube = SandboxKube.builder().controllerInterval(Duration.ofMillis(500)).build().start();
    probe = new EventProbe(broker.getBrokersAsString(), List.of(Topics.CNI));
  }

  @AfterAll
  static void stopPeers() {
    probe.close();
    kube.close();
  }

  /** Runs {@code rke up} for a two-node cluster and returns its kubeconfig, as rke-service does. */
  private static String rkeUp(String name, String firstNode, String secondNode) throws Exception {
    Path key = work.resolve("id_key");
    if (!Files.exists(key)) {
      Files.writeString(key, "read by nobody: the sandbox only checks it exists");
    }
    Path file = Files.createDirectories(work.resolve("rke").resolve(name)).resolve("cluster.yml");
    Files.writeString(
        file,
        """
        cluster_name: %s
        ssh_key_path: %s
        network: {plugin: none}
        nodes:
        - {address: %s, user: ubuntu, role: [controlplane, etcd, worker]}
        - {address: %s, user: ubuntu, role: [worker]}
        """
            .formatted(name, key, firstNode, secondNode));
    int code =
        RkeStandIn.run(
            new String[] {"up", "--config", file.toString()},
            new PrintStream(OutputStream.nullOutputStream()),
            kube.rkeControlUrl().toString());
    assertThat(code).as("rke up " + name).isZero();
    return Files.readString(file.resolveSibling("kube_config_cluster.yml"));
  }

  private String storeKubeconfig(String meshId, String cluster, String kubeconfig) {
    String ref = "meshes/" + meshId + "/clusters/" + cluster + "/kubeconfig";
    secretStore.put(ref, kubeconfig.getBytes(StandardCharsets.UTF_8));
    return ref;
  }

  private static KubernetesClient clientOf(String cluster) {
    return kube.cluster(cluster).orElseThrow().client();
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

  private static String caKey(KubernetesClient client) {
    Secret ca = client.secrets().inNamespace("kube-system").withName("cilium-ca").get();
    return new String(
        Base64.getDecoder().decode(ca.getData().get("ca.key")), StandardCharsets.UTF_8);
  }

  @Test
  void answersEachClusterOfAMeshWithCiliumReadyAfterInstallingCiliumWithTheSharedCa()
      throws Exception {
    ClusterSpec east = Samples.cluster("east", 1, 2);
    ClusterSpec west = Samples.cluster("west", 2, 2);
    String eastKubeconfig = rkeUp("east", "127.10.1.10", "127.10.1.11");
    String eastRef = storeKubeconfig("it", "east", eastKubeconfig);
    String westRef = storeKubeconfig("it", "west", rkeUp("west", "127.10.2.10", "127.10.2.11"));
    EventEnvelope inEast = clusterUp("it", east, eastRef);
    EventEnvelope inWest = clusterUp("it", west, westRef);

    send(inEast);
    send(inWest);
    EventEnvelope outEast =
        probe.await(
            WATCHED,
            e -> inEast.eventId().equals(e.causationId()) && e.payload() instanceof CiliumReady);
    EventEnvelope outWest =
        probe.await(
            WATCHED,
            e -> inWest.eventId().equals(e.causationId()) && e.payload() instanceof CiliumReady);
    send(inEast);
    // Same mesh, so same partition: once the marker is answered, the repeated ClusterUp was read.
    EventEnvelope marker =
        clusterUp("it", Samples.cluster("gone", 3, 1), "meshes/it/clusters/gone/kubeconfig");
    send(marker);
    probe.await(
        Duration.ofSeconds(30),
        e -> marker.eventId().equals(e.causationId()) && e.payload() instanceof ClusterFailed);

    assertThat(outEast.payload())
        .isEqualTo(new CiliumReady(east, Samples.nodes("it", east), eastRef, "1.18.12"));
    assertThat(outEast.cluster()).isEqualTo("east");
    assertThat(outEast.producer()).isEqualTo("cni-service");
    assertThat(outWest.payload())
        .isEqualTo(new CiliumReady(west, Samples.nodes("it", west), westRef, "1.18.12"));
    for (EventEnvelope in : List.of(inEast, inWest)) {
      List<EventEnvelope> answers =
          probe.events().stream()
              .filter(e -> in.eventId().equals(e.causationId()))
              .filter(e -> !(e.payload() instanceof ProgressReported))
              .toList();
      assertThat(answers)
          .as("StepStarted, then one CiliumReady, even though east's ClusterUp came twice")
          .extracting(e -> e.payload().getClass().getSimpleName())
          .containsExactly("StepStarted", "CiliumReady");
      assertThat(((StepStarted) answers.get(0).payload()).stage()).isEqualTo(Stage.CNI);
    }
    ConfigMap config =
        clientOf("east").configMaps().inNamespace("kube-system").withName("cilium-config").get();
    assertThat(config.getData())
        .containsEntry("cluster-name", "east")
        .containsEntry("cluster-id", "1")
        .containsEntry("cluster-pool-ipv4-cidr", east.podCidr());
    String meshCa =
        new String(secretStore.get("meshes/it/cilium-ca").orElseThrow(), StandardCharsets.UTF_8);
    String eastKey = caKey(clientOf("east"));
    assertThat(meshCa).contains(eastKey);
    assertThat(caKey(clientOf("west"))).isEqualTo(eastKey);
    String keyBody = eastKey.lines().skip(1).findFirst().orElseThrow();
    String token =
        eastKubeconfig.lines().filter(l -> l.contains("token:")).findFirst().orElseThrow();
    String tokenValue = token.substring(token.indexOf(':') + 1).replace("\"", "").strip();
    assertThat(probe.records())
        .allSatisfy(
            r ->
                assertThat(new String(r.value(), StandardCharsets.UTF_8))
                    .doesNotContain(keyBody)
                    .doesNotContain("PRIVATE KEY")
                    .doesNotContain(tokenValue));
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
