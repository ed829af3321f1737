package io.meshorch.mesh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
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
import io.meshorch.sandbox.kube.SandboxKube;
import io.meshorch.testkit.EventProbe;
import io.meshorch.testkit.Samples;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterAll;
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
  @TempDir static Path work;
  private static EventProbe probe;

  @Autowired EmbeddedKafkaBroker broker;
  @Autowired KafkaListenerEndpointRegistry listeners;

  /** Mesh endpoint IPs the agents cannot reach (the sandbox's network rule). */
  private static final Set<String> blocked = ConcurrentHashMap.newKeySet();

  private static SandboxKube kube;
  private static CiliumOnSandbox cilium;

  @DynamicPropertySource
  static void secretsDir(DynamicPropertyRegistry registry) {
    registry.add("mesh.service.secrets-dir", () -> secrets.toString());
  }

  @BeforeAll
  static void startPeers(@Autowired EmbeddedKafkaBroker broker) {
    probe = new EventProbe(broker.getBrokersAsString(), List.of(Topics.MESH));
    kube =
        SandboxKube.builder()
            .controllerInterval(Duration.ofMillis(500))
            .meshReachability((from, ip, owner) -> !blocked.contains(ip))
            .build()
            .start();
    cilium = new CiliumOnSandbox(kube, work);
  }

  @AfterAll
  static void stopPeers() {
    probe.close();
    kube.close();
  }

  /**
   * A sandbox cluster of {@code meshId} with Cilium and its mesh endpoint, its kubeconfig stored
   * where rke-service stores it.
   */
  private static KubernetesClient cluster(String meshId, ClusterSpec spec) throws Exception {
    String kubeconfig = cilium.up(meshId, spec);
    new FileSecretStore(secrets)
        .put(ref(meshId, spec.name()), kubeconfig.getBytes(StandardCharsets.UTF_8));
    return kube.cluster(spec.name()).orElseThrow().client();
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
    cluster(meshId, east);
    cluster(meshId, west);
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
    KubernetesClient northCluster = cluster(meshId, north);
    KubernetesClient southCluster = cluster(meshId, south);
    List<String> endpoints = List.of("192.168.53.10", "192.168.54.10");
    blocked.addAll(endpoints);
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

      blocked.removeAll(endpoints);
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

  @Test
  void aReplicaThatTakesOverAMeshKnowsWhatTheOtherReplicaReadOfIt() throws Exception {
    ClusterSpec ost = Samples.cluster("ost", 5, 1);
    ClusterSpec wst = Samples.cluster("wst", 6, 1);
    // Two instances of this test's own share the partitions; the one leaving reads the request
    // and the first cluster's ports, the one staying takes over before the second's.
    listeners.getListenerContainer("mesh-service").stop();
    try (ConfigurableApplicationContext staying = startInstance()) {
      String meshId;
      try (ConfigurableApplicationContext leaving = startInstance()) {
        await("both instances with partitions")
            .atMost(Duration.ofSeconds(60))
            .until(
                () -> !infraPartitions(staying).isEmpty() && !infraPartitions(leaving).isEmpty());
        Set<Integer> leavingOwns = infraPartitions(leaving);
        int partitions = leavingOwns.size() + infraPartitions(staying).size();
        meshId =
            IntStream.range(0, 1000)
                .mapToObj(i -> "it-takeover-" + i)
                .filter(id -> leavingOwns.contains(partitionOf(id, partitions)))
                .findFirst()
                .orElseThrow();
        cluster(meshId, ost);
        cluster(meshId, wst);
        send(
            Topics.REQUESTS,
            EventEnvelope.create(
                meshId, null, null, "meshctl", new MeshRequested(List.of(ost, wst))));
        send(Topics.INFRA, portsUpdated(meshId, ost));
        await("the leaving instance read both")
            .atMost(Duration.ofSeconds(30))
            .until(() -> lag(List.of(Topics.REQUESTS, Topics.INFRA)) == 0);
      }
      send(Topics.INFRA, portsUpdated(meshId, wst));

      EventEnvelope ready = awaitOutcome(meshId);
      assertThat(ready.payload()).isInstanceOf(MeshReady.class);
      assertThat(((MeshReady) ready.payload()).clusters())
          .extracting(MeshClusterView::name)
          .containsExactly("ost", "wst");
    } finally {
      listeners.getListenerContainer("mesh-service").start();
    }
  }

  /** The partitions of mesh.infra.events the instance's consumer holds. */
  private static Set<Integer> infraPartitions(ConfigurableApplicationContext instance) {
    var assigned =
        instance
            .getBean(KafkaListenerEndpointRegistry.class)
            .getListenerContainer("mesh-service")
            .getAssignedPartitions();
    return assigned == null
        ? Set.of()
        : assigned.stream()
            .filter(p -> p.topic().equals(Topics.INFRA))
            .map(TopicPartition::partition)
            .collect(Collectors.toSet());
  }

  /** The partition Kafka's default partitioner picks for the key {@code meshId}. */
  private static int partitionOf(String meshId, int partitions) {
    return Utils.toPositive(Utils.murmur2(meshId.getBytes(StandardCharsets.UTF_8))) % partitions;
  }

  /** Records of {@code topics} the group mesh-service has not committed yet. */
  private long lag(List<String> topics) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.getBrokersAsString()))) {
      var committed =
          admin.listConsumerGroupOffsets("mesh-service").partitionsToOffsetAndMetadata().get();
      var partitions =
          admin.describeTopics(topics).allTopicNames().get().values().stream()
              .flatMap(
                  d ->
                      d.partitions().stream().map(p -> new TopicPartition(d.name(), p.partition())))
              .toList();
      var ends =
          admin
              .listOffsets(
                  partitions.stream().collect(Collectors.toMap(p -> p, p -> OffsetSpec.latest())))
              .all()
              .get();
      long lag = 0;
      for (var p : partitions) {
        var c = committed.get(p);
        lag += ends.get(p).offset() - (c == null ? 0 : c.offset());
      }
      return lag;
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

  /**
   * The resource versions of what connecting writes: Secrets cilium-clustermesh and
   * cilium-kvstoremesh, Deployment clustermesh-apiserver (its host aliases).
   */
  private static List<String> configVersions(KubernetesClient client) {
    return List.of(
        client
            .secrets()
            .inNamespace("kube-system")
            .withName("cilium-clustermesh")
            .get()
            .getMetadata()
            .getResourceVersion(),
        client
            .secrets()
            .inNamespace("kube-system")
            .withName("cilium-kvstoremesh")
            .get()
            .getMetadata()
            .getResourceVersion(),
        client
            .apps()
            .deployments()
            .inNamespace("kube-system")
            .withName("clustermesh-apiserver")
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

  /**
   * A record mesh-service cannot process is dead-lettered and its mesh answered with {@code
   * RECORD_UNPROCESSABLE}: that answer ends the run at once, so a later event of the same run (here
   * the other cluster's failure) is not answered a second time.
   */
  @Test
  void aMeshAnsweredForAnUnprocessableRecordIsDoneAndNotAnsweredAgain() throws Exception {
    String meshId = "it-poison";
    ClusterSpec east = Samples.cluster("east", 1, 1);
    ClusterSpec west = Samples.cluster("west", 2, 1);
    EventEnvelope request =
        EventEnvelope.create(meshId, null, null, "meshctl", new MeshRequested(List.of(east, west)));
    List<NodeInfo> nodes = Samples.nodes(meshId, east);
    EventEnvelope withoutKubeconfig =
        EventEnvelope.create(
            meshId,
            "east",
            UUID.randomUUID(),
            "infra-service",
            new PortsUpdated(
                east,
                nodes,
                null,
                "192.168.51.10",
                2379,
                nodes.stream().map(NodeInfo::portId).toList()));

    send(Topics.REQUESTS, request);
    send(Topics.INFRA, withoutKubeconfig);
    EventEnvelope answer = awaitOutcome(meshId);
    send(Topics.CNI, clusterFailedEvent(meshId, "west"));
    // consumed, and nothing answered it for a while (a step would answer within milliseconds)
    await().atMost(Duration.ofSeconds(30)).until(() -> lag(List.of(Topics.CNI)) == 0);
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(5))
        .until(() -> outcomes(meshId).size() == 1);

    assertThat(answer.payload())
        .isInstanceOfSatisfying(
            MeshFailed.class, f -> assertThat(f.code()).isEqualTo("RECORD_UNPROCESSABLE"));
    assertThat(outcomes(meshId)).as("answers of %s", meshId).containsExactly(answer);
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
