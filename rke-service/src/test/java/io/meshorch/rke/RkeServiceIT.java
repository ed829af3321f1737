package io.meshorch.rke;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.meshorch.contracts.ClusterFailed;
import io.meshorch.contracts.ClusterSpec;
import io.meshorch.contracts.ClusterUp;
import io.meshorch.contracts.EventCodec;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.KubernetesSpec;
import io.meshorch.contracts.NodeInfo;
import io.meshorch.contracts.ProgressReported;
import io.meshorch.contracts.StepStarted;
import io.meshorch.contracts.Topics;
import io.meshorch.contracts.VmsReady;
import io.meshorch.kit.port.SecretStore;
import io.meshorch.kit.secrets.FileSecretStore;
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
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.yaml.snakeyaml.Yaml;

/**
 * rke-service through Kafka against real protocol peers: MINA SSH daemons as the nodes (each on its
 * own loopback address, all on the one configured SSH port, host keys pinned from the event) and
 * the sandbox's rke stand-in, which checks cluster.yml like {@code rke up} and brings up an API
 * server. The rke executable is a wrapper around the stand-in that counts runs per cluster and can
 * hold one cluster's run (while {@code gates/<mesh>-<cluster>.hold} exists) to play a slow {@code
 * rke up}. The service runs as its own application context, so a test can stop and start it.
 */
@EmbeddedKafka(brokerProperties = "auto.create.topics.enable=false")
class RkeServiceIT {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final Path DIR = createDir();
  private static final Path GATES = DIR.resolve("gates");
  private static final KeyPair USER = TestVm.newKey();
  private static final int SSH_PORT = freePort();
  private static final List<TestVm> VMS = new ArrayList<>();
  private static final SandboxKube KUBE = SandboxKube.builder().build().start();
  private static final SecretStore SECRETS = new FileSecretStore(DIR.resolve("secrets"));
  private static EmbeddedKafkaBroker broker;
  private static EventProbe probe;
  private static ConfigurableApplicationContext service;

  private static Path createDir() {
    try {
      // under target/: the folder holds the test's SSH key and secrets, and nothing deletes it
      return Files.createTempDirectory(Files.createDirectories(Path.of("target", "tmp")), "rke-it")
          .toAbsolutePath();
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

  @BeforeAll
  static void start(EmbeddedKafkaBroker embedded) throws Exception {
    broker = embedded;
    TestVm.writePrivateKey(USER, DIR.resolve("id_ecdsa"));
    Files.createDirectories(GATES);
    Path standIn = RkeStandInScript.write(DIR.resolve("sandbox-bin"), KUBE.rkeControlUrl());
    Path rke = DIR.resolve("bin/rke");
    Files.createDirectories(rke.getParent());
    Files.writeString(
        rke,
        "#!/bin/sh\n"
            + "dir=\"$(dirname \"$3\")\"\n"
            + "name=\"$(basename \"$(dirname \"$dir\")\")-$(basename \"$dir\")\"\n"
            + "echo run >> '"
            + GATES
            + "'/\"$name.runs\"\n"
            + "i=0\n"
            + "while [ -f '"
            + GATES
            + "'/\"$name.hold\" ] && [ $i -lt 1200 ]; do sleep 0.05; i=$((i+1)); done\n"
            + "exec '"
            + standIn
            + "' \"$@\"\n");
    Files.setPosixFilePermissions(rke, PosixFilePermissions.fromString("rwx------"));
    service = startService();
    probe = new EventProbe(broker.getBrokersAsString(), List.of(Topics.RKE));
  }

  private static ConfigurableApplicationContext startService() {
    return new SpringApplicationBuilder(RkeServiceApplication.class)
        .properties("spring.config.name=" + RkeServiceApplication.CONFIG_NAME)
        .run(
            "--spring.kafka.bootstrap-servers=" + broker.getBrokersAsString(),
            "--server.port=0",
            "--mesh.service.declared-topics=" + Topics.INFRA,
            "--mesh.service.secrets-dir=" + DIR.resolve("secrets"),
            "--mesh.service.step-retry.initial-delay=100ms",
            "--mesh.ssh.private-key-path=" + DIR.resolve("id_ecdsa"),
            "--mesh.ssh.port=" + SSH_PORT,
            "--mesh.ssh.connect-timeout=2s",
            "--mesh.ssh.command-timeout=10s",
            "--mesh.ssh.ready-timeout=30s",
            "--mesh.rke.work-dir=" + DIR.resolve("rke"),
            "--mesh.rke.executable=" + DIR.resolve("bin/rke"),
            "--mesh.rke.timeout=60s");
  }

  @AfterAll
  static void stop() throws Exception {
    try (var files = Files.list(GATES)) {
      for (Path hold : files.filter(p -> p.toString().endsWith(".hold")).toList()) {
        Files.delete(hold);
      }
    }
    if (service != null) {
      service.close();
    }
    if (probe != null) {
      probe.close();
    }
    VMS.forEach(TestVm::close);
    KUBE.close();
  }

  private static void send(EventEnvelope event) throws Exception {
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
  private static List<NodeInfo> bootNodes(String meshId, ClusterSpec spec, Duration boot) {
    List<NodeInfo> nodes = new ArrayList<>();
    for (NodeInfo n : Samples.nodes(meshId, spec)) {
      TestVm vm = TestVm.start(n.address(), SSH_PORT, USER.getPublic(), TestVm.newKey(), boot);
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

  private static boolean outcome(EventEnvelope e) {
    return e.payload() instanceof ClusterUp || e.payload() instanceof ClusterFailed;
  }

  private static EventEnvelope outcomeOf(EventEnvelope cause) {
    return probe.await(WAIT, e -> cause.eventId().equals(e.causationId()) && outcome(e));
  }

  /** What the service published for {@code cause}, progress left out, in order. */
  private static List<String> answersTo(EventEnvelope cause) {
    return probe.events().stream()
        .filter(e -> cause.eventId().equals(e.causationId()))
        .filter(e -> !(e.payload() instanceof ProgressReported))
        .map(e -> e.payload().getClass().getSimpleName())
        .toList();
  }

  private static List<String> progressOf(EventEnvelope cause) {
    return probe.eventsOf(ProgressReported.class).stream()
        .filter(e -> cause.eventId().equals(e.causationId()))
        .map(e -> ((ProgressReported) e.payload()).message())
        .toList();
  }

  private static long runs(String meshId, String cluster) throws IOException {
    Path runs = GATES.resolve(meshId + "-" + cluster + ".runs");
    return Files.exists(runs) ? Files.readAllLines(runs).size() : 0;
  }

  private static Path hold(String meshId, String cluster) throws IOException {
    return Files.writeString(GATES.resolve(meshId + "-" + cluster + ".hold"), "hold");
  }

  @Test
  @SuppressWarnings("unchecked")
  void bringsUpKubernetesOnBootingNodesReachedOverSshAndKeepsSecretsOffTheBus() throws Exception {
    ClusterSpec east = Samples.cluster("east", 1, 2);
    // the nodes answer "status: running" and docker's "Cannot connect" for their first 1.5 s
    List<NodeInfo> nodes = bootNodes("it", east, Duration.ofMillis(1_500));
    EventEnvelope event = vmsReady("it", east, nodes);

    send(event);

    EventEnvelope up = outcomeOf(event);
    assertThat(answersTo(event)).containsExactly("StepStarted", "ClusterUp");
    assertThat(up.cluster()).isEqualTo("east");
    assertThat(up.producer()).isEqualTo("rke-service");
    ClusterUp clusterUp = (ClusterUp) up.payload();
    assertThat(clusterUp.cluster())
        .as("the requested cluster, naming what rke deployed: its default version, from its state")
        .isEqualTo(
            new ClusterSpec(
                east.name(),
                east.id(),
                east.nodeCount(),
                east.podCidr(),
                east.serviceCidr(),
                east.lbAddressPool(),
                east.machine(),
                new KubernetesSpec(
                    KubernetesSpec.RKE1,
                    io.meshorch.sandbox.kube.rke.RkeStandIn.DEFAULT_KUBERNETES_VERSION)));
    assertThat(clusterUp.nodes()).isEqualTo(nodes);
    assertThat(clusterUp.kubeconfigRef()).isEqualTo("meshes/it/clusters/east/kubeconfig");
    String kubeconfig =
        new String(SECRETS.get(clusterUp.kubeconfigRef()).orElseThrow(), StandardCharsets.UTF_8);
    assertThat(kubeconfig).contains(clusterUp.apiServerUrl());
    try (KubernetesClient client =
        new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(kubeconfig)).build()) {
      assertThat(client.nodes().list().getItems())
          .extracting(n -> n.getMetadata().getName())
          .containsExactlyInAnyOrder("mesh-it-east-node-0", "mesh-it-east-node-1");
    }
    assertThat(progressOf(event))
        .containsOnlyOnce(
            "node mesh-it-east-node-0 ready (docker 24.0.9)",
            "node mesh-it-east-node-1 ready (docker 24.0.9)");
    assertThat(runs("it", "east")).isEqualTo(1);

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
    assertThat(clusterDir.resolve("rke-up.pid")).doesNotExist();
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
        bootNodes("it2", west, Duration.ZERO).stream()
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

  @Test
  void aSlowRkeUpOfOneClusterDoesNotDelayTheOtherClusterOfTheMesh() throws Exception {
    ClusterSpec slow = Samples.cluster("slow", 3, 1);
    ClusterSpec fast = Samples.cluster("fast", 4, 1);
    EventEnvelope slowEvent = vmsReady("it3", slow, bootNodes("it3", slow, Duration.ZERO));
    EventEnvelope fastEvent = vmsReady("it3", fast, bootNodes("it3", fast, Duration.ZERO));
    Path held = hold("it3", "slow");

    // same mesh, same partition, the slow cluster first
    send(slowEvent);
    send(fastEvent);
    await().atMost(WAIT).until(() -> runs("it3", "slow") == 1);

    // while slow's rke up runs (held), fast goes all the way
    EventEnvelope fastUp = outcomeOf(fastEvent);
    assertThat(fastUp.payload()).isInstanceOf(ClusterUp.class);
    assertThat(answersTo(slowEvent)).containsExactly("StepStarted");

    Files.delete(held);
    assertThat(outcomeOf(slowEvent).payload()).isInstanceOf(ClusterUp.class);
    assertThat(runs("it3", "slow")).isEqualTo(1);
    assertThat(runs("it3", "fast")).isEqualTo(1);
  }

  @Test
  void aStopDuringRkeUpIsNoFailureAndTheRestartFinishesTheClusterOnce() throws Exception {
    ClusterSpec spec = Samples.cluster("resumed", 5, 2);
    EventEnvelope event = vmsReady("it4", spec, bootNodes("it4", spec, Duration.ZERO));
    Path held = hold("it4", "resumed");
    Path pidFile = DIR.resolve("rke/it4/resumed/rke-up.pid");

    send(event);
    await().atMost(WAIT).until(() -> runs("it4", "resumed") == 1 && Files.exists(pidFile));
    long pid = Long.parseLong(Files.readString(pidFile).strip());
    service.close();

    assertThat(answersTo(event)).containsExactly("StepStarted");
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive))
        .as("a graceful stop leaves rke up running")
        .contains(true);

    service = startService();
    probe.await(
        WAIT,
        e ->
            event.eventId().equals(e.causationId())
                && e.payload() instanceof ProgressReported p
                && p.message().contains("pid " + pid + ", started before the service restarted"));
    Files.delete(held);

    EventEnvelope up = outcomeOf(event);
    assertThat(up.payload()).isInstanceOf(ClusterUp.class);
    assertThat(SECRETS.get("meshes/it4/clusters/resumed/kubeconfig")).isPresent();
    assertThat(runs("it4", "resumed")).as("one rke up, waited for across the restart").isEqualTo(1);
    assertThat(probe.eventsOf(StepStarted.class))
        .filteredOn(e -> event.eventId().equals(e.causationId()))
        .hasSize(1);
    await()
        .during(Duration.ofSeconds(1))
        .atMost(Duration.ofSeconds(5))
        .until(() -> answersTo(event).equals(List.of("StepStarted", "ClusterUp")));
  }
}
