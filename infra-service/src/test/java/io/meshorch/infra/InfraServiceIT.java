package io.meshorch.infra;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshorch.contracts.ClusterSpec;
import io.meshorch.contracts.EventCodec;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.LbIpAssigned;
import io.meshorch.contracts.MachineSpec;
import io.meshorch.contracts.MeshRejected;
import io.meshorch.contracts.MeshRequested;
import io.meshorch.contracts.NodeInfo;
import io.meshorch.contracts.PortsUpdated;
import io.meshorch.contracts.Topics;
import io.meshorch.contracts.VmsReady;
import io.meshorch.contracts.validation.MeshRequestValidator;
import io.meshorch.sandbox.openstack.SandboxCloud;
import io.meshorch.sandbox.openstack.SandboxServer;
import io.meshorch.testkit.EventProbe;
import io.meshorch.testkit.Samples;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

@SpringBootTest(
    classes = InfraServiceApplication.class,
    properties = {
      "spring.config.name=" + InfraServiceApplication.CONFIG_NAME,
      "spring.kafka.bootstrap-servers=${spring.embedded.kafka.brokers}",
      "mesh.service.declared-topics=" + Topics.REQUESTS + "," + Topics.LB,
      "mesh.openstack.cloud=sandbox",
      "mesh.openstack.retry-initial-delay=100ms",
      "mesh.vms.stack-poll-interval=100ms",
      "mesh.vms.stack-timeout=30s",
      "mesh.vms.console-poll-interval=100ms",
      "mesh.vms.console-timeout=20s",
    })
@EmbeddedKafka(brokerProperties = "auto.create.topics.enable=false")
class InfraServiceIT {
  private static final Duration WAIT = Duration.ofSeconds(40);
  private static final EventCodec CODEC = new EventCodec();
  private static final SandboxCloud CLOUD;
  private static final Path DIR;

  static {
    try {
      DIR = Files.createTempDirectory("infra-it");
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(256);
      int sshPort;
      try (ServerSocket socket = new ServerSocket(0)) {
        sshPort = socket.getLocalPort();
      }
      CLOUD =
          SandboxCloud.builder()
              .bindAddress("127.0.0.1")
              .port(0)
              .credentials("demo", "it-pa55", "demo", "Default")
              .stackCreateDelay(Duration.ofMillis(300))
              .vmBootDelay(Duration.ofMillis(300))
              .vmSubnet("127.10.0.0/16")
              .vmSshPort(sshPort)
              .keypair("mesh", PublicKeyEntry.toString(generator.generateKeyPair().getPublic()))
              .build()
              .start();
      Files.writeString(
          DIR.resolve("clouds.yaml"),
          "clouds:\n  sandbox:\n    auth:\n      auth_url: "
              + CLOUD.identityUrl()
              + "\n      username: demo\n      password: it-pa55\n      project_name: demo\n"
              + "      user_domain_name: Default\n      project_domain_name: Default\n"
              + "    region_name: RegionOne\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static EventProbe probe;

  @Autowired EmbeddedKafkaBroker broker;

  @DynamicPropertySource
  static void sandbox(DynamicPropertyRegistry registry) {
    registry.add("mesh.openstack.clouds-file", () -> DIR.resolve("clouds.yaml").toString());
    registry.add("mesh.service.secrets-dir", () -> DIR.resolve("secrets").toString());
  }

  @BeforeAll
  static void startProbe(@Autowired EmbeddedKafkaBroker broker) {
    probe = new EventProbe(broker.getBrokersAsString(), List.of(Topics.INFRA));
  }

  @AfterAll
  static void stop() {
    probe.close();
    CLOUD.close();
  }

  private void send(String topic, EventEnvelope event) throws Exception {
    try (var producer =
        new KafkaProducer<>(
            Map.<String, Object>of("bootstrap.servers", broker.getBrokersAsString()),
            new StringSerializer(),
            new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(topic, event.meshId(), CODEC.encode(event))).get();
    }
  }

  private static EventEnvelope request(String meshId, ClusterSpec... clusters) {
    return EventEnvelope.create(
        meshId, null, null, "meshctl", new MeshRequested(List.of(clusters)));
  }

  private static VmsReady awaitVmsReady(EventEnvelope request, String cluster) {
    return (VmsReady)
        probe
            .await(
                WAIT,
                e ->
                    request.eventId().equals(e.causationId())
                        && cluster.equals(e.cluster())
                        && e.payload() instanceof VmsReady)
            .payload();
  }

  private static long stackCreations() {
    return CLOUD.requests().stream()
        .filter(r -> r.method().equals("POST") && r.path().endsWith("/stacks") && r.status() == 201)
        .count();
  }

  @Test
  void buildsEveryClusterOfAValidRequestAndReportsItsNodes() throws Exception {
    EventEnvelope request =
        request("it1", Samples.cluster("east", 1, 2), Samples.cluster("west", 2, 1));

    send(Topics.REQUESTS, request);

    VmsReady east = awaitVmsReady(request, "east");
    VmsReady west = awaitVmsReady(request, "west");
    assertThat(CLOUD.stackNames()).contains("mesh-it1-east", "mesh-it1-west");
    assertThat(east.cluster()).isEqualTo(Samples.cluster("east", 1, 2));
    assertThat(east.nodes())
        .extracting(NodeInfo::name)
        .containsExactly("mesh-it1-east-node-0", "mesh-it1-east-node-1");
    assertThat(west.nodes()).hasSize(1);
    for (NodeInfo node : east.nodes()) {
      SandboxServer server =
          CLOUD.servers().stream()
              .filter(s -> s.id().equals(node.serverId()))
              .findFirst()
              .orElseThrow();
      assertThat(node.address()).isEqualTo(server.fixedIp());
      assertThat(CLOUD.findPort(node.portId()).orElseThrow().fixedIp()).isEqualTo(node.address());
      assertThat(node.sshHostKeyFingerprints())
          .containsExactly(server.sshHostKeyFingerprint().orElseThrow());
    }
  }

  @Test
  void rejectsAnInvalidRequestNamingEveryViolationAndCreatesNothing() throws Exception {
    ClusterSpec bad =
        new ClusterSpec(
            "Bad_Name",
            300,
            0,
            "10.1.0.0/33",
            null,
            "10.1.0.0/16",
            new MachineSpec(null, "f", "n", "k", "u"));
    EventEnvelope request = request("itbad", bad, Samples.cluster("ok", 1, 1));
    long before = stackCreations();

    send(Topics.REQUESTS, request);

    EventEnvelope rejected = probe.await(WAIT, e -> request.eventId().equals(e.causationId()));
    assertThat(rejected.cluster()).isNull();
    assertThat(rejected.payload())
        .isEqualTo(
            new MeshRejected(
                new MeshRequestValidator().validate("itbad", (MeshRequested) request.payload())));
    assertThat(((MeshRejected) rejected.payload()).violations()).hasSizeGreaterThan(5);
    assertThat(CLOUD.stackNames()).noneMatch(name -> name.startsWith("mesh-itbad-"));
    assertThat(stackCreations()).isEqualTo(before);
  }

  @Test
  void letsTheMeshEndpointThroughEveryNodePort() throws Exception {
    ClusterSpec spec = Samples.cluster("lb", 3, 2);
    EventEnvelope request = request("it2", spec);
    send(Topics.REQUESTS, request);
    VmsReady vms = awaitVmsReady(request, "lb");
    EventEnvelope assigned =
        EventEnvelope.create(
            "it2",
            "lb",
            UUID.randomUUID(),
            "lb-service",
            new LbIpAssigned(
                spec, vms.nodes(), "meshes/it2/clusters/lb/kubeconfig", "192.168.53.10", 2379));

    send(Topics.LB, assigned);

    EventEnvelope out = probe.await(WAIT, e -> assigned.eventId().equals(e.causationId()));
    List<String> portIds = vms.nodes().stream().map(NodeInfo::portId).toList();
    assertThat(out.cluster()).isEqualTo("lb");
    assertThat(out.payload())
        .isEqualTo(
            new PortsUpdated(
                spec,
                vms.nodes(),
                "meshes/it2/clusters/lb/kubeconfig",
                "192.168.53.10",
                2379,
                portIds));
    for (String portId : portIds) {
      assertThat(CLOUD.findPort(portId).orElseThrow().allowedAddressPairs())
          .extracting(p -> p.get("ip_address"))
          .containsExactly("192.168.53.10");
    }
  }

  @Test
  void answersARequestDeliveredTwiceWithOneStackAndOneVmsReadyPerCluster() throws Exception {
    EventEnvelope request =
        request("it3", Samples.cluster("north", 4, 1), Samples.cluster("south", 5, 1));
    long before = stackCreations();

    send(Topics.REQUESTS, request);
    awaitVmsReady(request, "north");
    awaitVmsReady(request, "south");
    send(Topics.REQUESTS, request);
    EventEnvelope marker = request("it3", Samples.cluster("marker", 6, 1));
    send(Topics.REQUESTS, marker);
    awaitVmsReady(marker, "marker");

    assertThat(probe.eventsOf(VmsReady.class))
        .filteredOn(e -> request.eventId().equals(e.causationId()))
        .extracting(EventEnvelope::cluster)
        .containsExactlyInAnyOrder("north", "south");
    assertThat(stackCreations() - before).isEqualTo(3);
    assertThat(CLOUD.stackNames()).contains("mesh-it3-north", "mesh-it3-south");
  }
}
