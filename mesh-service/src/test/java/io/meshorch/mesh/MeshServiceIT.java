package io.meshorch.mesh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.HostAlias;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.meshorch.contracts.ClusterFailed;
import io.meshorch.contracts.ClusterSpec;
import io.meshorch.contracts.EventCodec;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.MeshFailed;
import io.meshorch.contracts.MeshReady;
import io.meshorch.contracts.MeshReady.MeshClusterView;
import io.meshorch.contracts.MeshReady.RemoteNodes;
import io.meshorch.contracts.MeshRequested;
import io.meshorch.contracts.NodeInfo;
import io.meshorch.contracts.PortsUpdated;
import io.meshorch.contracts.ProgressReported;
import io.meshorch.contracts.StepStarted;
import io.meshorch.contracts.Topics;
import io.meshorch.kit.secrets.FileSecretStore;
import io.meshorch.mesh.adapter.kubernetes.AgentCluster;
import io.meshorch.testkit.EventProbe;
import io.meshorch.testkit.Samples;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

@SpringBootTest(
    classes = MeshServiceApplication.class,
    properties = {
      "spring.config.name=" + MeshServiceApplication.CONFIG_NAME,
      "spring.kafka.bootstrap-servers=${spring.embedded.kafka.brokers}",
      "server.port=0",
      "mesh.service.declared-topics="
          + "mesh.requests,mesh.infra.events,mesh.rke.events,mesh.cni.events,mesh.lb.events",
      "mesh.validation.timeout=30s",
      "mesh.validation.exec-timeout=5s",
      "mesh.kube.connect-timeout=5s",
      "mesh.kube.request-timeout=10s",
    })
@EmbeddedKafka(brokerProperties = "auto.create.topics.enable=false")
class MeshServiceIT {
  private static final EventCodec CODEC = new EventCodec();

  @TempDir static Path secrets;
  private static EventProbe probe;

  @Autowired EmbeddedKafkaBroker broker;
  @Autowired KafkaListenerEndpointRegistry listeners;

  private final List<AgentCluster> clusters = new ArrayList<>();

  @DynamicPropertySource
  static void secretsDir(DynamicPropertyRegistry registry) {
    registry.add("mesh.service.secrets-dir", () -> secrets.toString());
  }

  @BeforeAll
  static void startProbe(@Autowired EmbeddedKafkaBroker broker) {
    probe = new EventProbe(broker.getBrokersAsString(), List.of(Topics.MESH));
  }

  @AfterAll
  static void stopProbe() {
    probe.close();
  }

  @AfterEach
  void stopClusters() {
    clusters.forEach(AgentCluster::close);
  }

  /** A cluster of {@code meshId} whose agent behaves like Cilium towards {@code remote}. */
  private AgentCluster cluster(String meshId, ClusterSpec spec, ClusterSpec remote) {
    return cluster(meshId, spec, remote, () -> true);
  }

  /**
   * A cluster of {@code meshId} whose agent behaves like Cilium towards {@code remote}, once {@code
   * reachable} says the remote can be reached.
   */
  private AgentCluster cluster(
      String meshId, ClusterSpec spec, ClusterSpec remote, BooleanSupplier reachable) {
    AgentCluster cluster = new AgentCluster(spec.name()).withCiliumDaemonSet();
    clusters.add(cluster);
    String pod = "cilium-" + spec.name() + "-0";
    cluster.withPod(pod, "cilium");
    new FileSecretStore(secrets)
        .put(ref(meshId, spec.name()), cluster.kubeconfig().getBytes(StandardCharsets.UTF_8));
    cluster.answer(
        pod,
        List.of("cilium-dbg", "node", "list", "-o", "json"),
        () ->
            new AgentCluster.Answer(
                nodeList(cluster, meshId, spec, remote, reachable.getAsBoolean()), "", 0));
    cluster.answer(
        pod,
        List.of("cilium-dbg", "status", "-o", "json"),
        () -> new AgentCluster.Answer(status(cluster, remote, reachable.getAsBoolean()), "", 0));
    return cluster;
  }

  /** True when the cluster is configured for the remote as a Cilium agent needs it. */
  private static boolean connected(AgentCluster cluster, ClusterSpec remote) {
    var client = cluster.client();
    Secret secret =
        client.secrets().inNamespace("kube-system").withName("cilium-clustermesh").get();
    DaemonSet ds = client.apps().daemonSets().inNamespace("kube-system").withName("cilium").get();
    List<HostAlias> aliases = ds.getSpec().getTemplate().getSpec().getHostAliases();
    return secret != null
        && secret.getData() != null
        && secret.getData().containsKey(remote.name())
        && aliases != null
        && aliases.stream()
            .anyMatch(a -> a.getHostnames().contains(remote.name() + ".mesh.cilium.io"));
  }

  private static String nodeList(
      AgentCluster cluster,
      String meshId,
      ClusterSpec local,
      ClusterSpec remote,
      boolean reachable) {
    List<String> entries = new ArrayList<>();
    Samples.nodes(meshId, local).forEach(n -> entries.add(local.name() + "/" + n.name()));
    if (reachable && connected(cluster, remote)) {
      Samples.nodes(meshId, remote).forEach(n -> entries.add(remote.name() + "/" + n.name()));
    }
    return entries.stream()
        .map(n -> "{\"name\":\"" + n + "\",\"source\":\"custom-resource\"}")
        .toList()
        .toString();
  }

  private static String status(AgentCluster cluster, ClusterSpec remote, boolean reachable) {
    boolean up = reachable && connected(cluster, remote);
    return "{\"cluster-mesh\":{\"clusters\":[{\"name\":\""
        + remote.name()
        + "\",\"ready\":"
        + up
        + ",\"status\":\""
        + (up ? "ok" : "not connected")
        + "\",\"num-nodes\":"
        + (up ? remote.nodeCount() : 0)
        + "}]}}";
  }

  private static String ref(String meshId, String cluster) {
    return "meshes/" + meshId + "/clusters/" + cluster + "/kubeconfig";
  }

  private static EventEnvelope portsUpdated(String meshId, ClusterSpec spec) {
    List<NodeInfo> nodes = Samples.nodes(meshId, spec);
    return EventEnvelope.create(
        meshId,
        spec.name(),
        UUID.randomUUID(),
        "infra-service",
        new PortsUpdated(
            spec,
            nodes,
            ref(meshId, spec.name()),
            "192.168.5" + spec.id() + ".10",
            2379,
            nodes.stream().map(NodeInfo::portId).toList()));
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

  private static List<EventEnvelope> outcomes(String meshId) {
    return probe.events().stream()
        .filter(e -> e.meshId().equals(meshId))
        .filter(e -> e.payload() instanceof MeshReady || e.payload() instanceof MeshFailed)
        .toList();
  }

  private static EventEnvelope awaitOutcome(String meshId) {
    return probe.await(
        Duration.ofSeconds(40),
        e ->
            e.meshId().equals(meshId)
                && (e.payload() instanceof MeshReady || e.payload() instanceof MeshFailed));
  }

  @Test
  void connectsTwoClustersAndPublishesOneMeshReadyWithTheNodeTable() throws Exception {
    String meshId = "it-ready";
    ClusterSpec east = Samples.cluster("east", 1, 2);
    ClusterSpec west = Samples.cluster("west", 2, 1);
    cluster(meshId, east, west);
    cluster(meshId, west, east);
    // Stamped before the ports, as causality has it: mesh-service ignores facts older than the
    // request they would belong to.
    EventEnvelope request =
        EventEnvelope.create(meshId, null, null, "meshctl", new MeshRequested(List.of(east, west)));
    EventEnvelope eastPorts = portsUpdated(meshId, east);
    EventEnvelope westPorts = portsUpdated(meshId, west);

    send(Topics.REQUESTS, request);
    send(Topics.INFRA, eastPorts);
    send(Topics.INFRA, westPorts);
    send(Topics.INFRA, eastPorts);

    EventEnvelope ready = awaitOutcome(meshId);
    assertThat(ready.payload()).isInstanceOf(MeshReady.class);
    assertThat(ready.cluster()).isNull();
    assertThat(ready.producer()).isEqualTo("mesh-service");
    assertThat(ready.causationId()).isIn(eastPorts.eventId(), westPorts.eventId());
    assertThat(((MeshReady) ready.payload()).clusters())
        .containsExactly(
            new MeshClusterView(
                "east",
                1,
                List.of("mesh-it-ready-east-node-0", "mesh-it-ready-east-node-1"),
                "192.168.51.10",
                List.of(new RemoteNodes("west", List.of("mesh-it-ready-west-node-0")))),
            new MeshClusterView(
                "west",
                2,
                List.of("mesh-it-ready-west-node-0"),
                "192.168.52.10",
                List.of(
                    new RemoteNodes(
                        "east",
                        List.of("mesh-it-ready-east-node-0", "mesh-it-ready-east-node-1")))));
    assertThat(probe.events())
        .filteredOn(e -> e.meshId().equals(meshId) && e.payload() instanceof ProgressReported)
        .extracting(e -> ((ProgressReported) e.payload()).message())
        .contains("connecting 2 clusters");

    assertThat(stepStartedBefore(ready))
        .as("the step was recorded as started before its outcome")
        .isTrue();

    // A redelivered event of a finished mesh is not answered again (the marker mesh's outcome
    // shows the listener got past it).
    send(Topics.INFRA, westPorts);
    send(Topics.INFRA, clusterFailedEvent("it-ready-marker", "east"));
    awaitOutcome("it-ready-marker");
    assertThat(outcomes(meshId)).hasSize(1);
  }

  /** True when a StepStarted of stage mesh for the outcome's step was published before it. */
  private static boolean stepStartedBefore(EventEnvelope outcome) {
    List<EventEnvelope> events = probe.events();
    int at = events.indexOf(outcome);
    return events.subList(0, at).stream()
        .anyMatch(
            e ->
                e.payload() instanceof StepStarted s
                    && s.stage().equals("mesh")
                    && e.cluster() == null
                    && e.causationId().equals(outcome.causationId()));
  }

  @Test
  void aRestartDuringValidationPublishesNoFailureAndTheNextStartEndsInOneMeshReady()
      throws Exception {
    String meshId = "it-restart";
    ClusterSpec north = Samples.cluster("north", 3, 1);
    ClusterSpec south = Samples.cluster("south", 4, 2);
    AtomicBoolean reachable = new AtomicBoolean(false);
    AgentCluster northCluster = cluster(meshId, north, south, reachable::get);
    AgentCluster southCluster = cluster(meshId, south, north, reachable::get);
    // This test's own instances take the partitions, one after the other.
    listeners.getListenerContainer("mesh-service").stop();
    try {
      try (ConfigurableApplicationContext first = startInstance()) {
        send(
            Topics.REQUESTS,
            EventEnvelope.create(
                meshId, null, null, "meshctl", new MeshRequested(List.of(north, south))));
        send(Topics.INFRA, portsUpdated(meshId, north));
        send(Topics.INFRA, portsUpdated(meshId, south));
        probe.await(
            Duration.ofSeconds(40),
            e ->
                e.meshId().equals(meshId)
                    && e.payload() instanceof ProgressReported p
                    && p.message().startsWith("waiting for agents"));
        assertThat(first.isRunning()).isTrue();
      }
      List<String> northVersions = configVersions(northCluster);
      List<String> southVersions = configVersions(southCluster);
      await()
          .during(Duration.ofSeconds(1))
          .atMost(Duration.ofSeconds(3))
          .until(() -> outcomes(meshId).isEmpty());

      reachable.set(true);
      try (ConfigurableApplicationContext second = startInstance()) {
        EventEnvelope ready = awaitOutcome(meshId);
        assertThat(ready.payload()).isInstanceOf(MeshReady.class);
        assertThat(((MeshReady) ready.payload()).clusters())
            .extracting(MeshClusterView::name)
            .containsExactly("north", "south");
        assertThat(second.isRunning()).isTrue();
      }
      assertThat(outcomes(meshId)).hasSize(1);
      assertThat(probe.events())
          .filteredOn(e -> e.meshId().equals(meshId) && e.payload() instanceof StepStarted)
          .as("resumed, not started again")
          .hasSize(1);
      assertThat(configVersions(northCluster)).as("not written again").isEqualTo(northVersions);
      assertThat(configVersions(southCluster)).as("not written again").isEqualTo(southVersions);
    } finally {
      listeners.getListenerContainer("mesh-service").start();
    }
  }

  /** Another mesh-service on the same broker, in the same consumer group. */
  private ConfigurableApplicationContext startInstance() {
    return new SpringApplicationBuilder(MeshServiceApplication.class)
        .properties("spring.config.name=" + MeshServiceApplication.CONFIG_NAME)
        .run(
            "--spring.kafka.bootstrap-servers=" + broker.getBrokersAsString(),
            "--server.port=0",
            "--mesh.service.secrets-dir=" + secrets,
            "--mesh.validation.timeout=30s",
            "--mesh.validation.exec-timeout=5s");
  }

  /** The resource versions of the mesh configuration: Secret and DaemonSet. */
  private static List<String> configVersions(AgentCluster cluster) {
    var client = cluster.client();
    return List.of(
        client
            .secrets()
            .inNamespace("kube-system")
            .withName("cilium-clustermesh")
            .get()
            .getMetadata()
            .getResourceVersion(),
        client
            .apps()
            .daemonSets()
            .inNamespace("kube-system")
            .withName("cilium")
            .get()
            .getMetadata()
            .getResourceVersion());
  }

  private static EventEnvelope clusterFailedEvent(String meshId, String cluster) {
    return EventEnvelope.create(
        meshId,
        cluster,
        UUID.randomUUID(),
        "cni-service",
        new ClusterFailed("cni", "CILIUM_NOT_READY", "DaemonSet cilium not ready after 5m", true));
  }

  @Test
  void turnsAClusterFailureIntoOneMeshFailed() throws Exception {
    String meshId = "it-failed";
    EventEnvelope failure = clusterFailedEvent(meshId, "east");

    send(Topics.CNI, failure);
    send(Topics.CNI, failure);

    EventEnvelope failed = awaitOutcome(meshId);
    send(Topics.RKE, clusterFailedEvent(meshId, "west"));
    assertThat(stepStartedBefore(failed)).isTrue();
    assertThat(failed.causationId()).isEqualTo(failure.eventId());
    assertThat(failed.payload())
        .isEqualTo(
            new MeshFailed(
                "cni", "east", "CILIUM_NOT_READY", "DaemonSet cilium not ready after 5m", true));
    EventEnvelope marker = clusterFailedEvent("it-failed-marker", "east");
    send(Topics.RKE, marker);
    awaitOutcome("it-failed-marker");
    assertThat(outcomes(meshId)).hasSize(1);
  }
}
