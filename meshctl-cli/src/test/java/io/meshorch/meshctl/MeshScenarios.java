package io.meshorch.meshctl;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshorch.contracts.CiliumReady;
import io.meshorch.contracts.ClusterUp;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.LbIpAssigned;
import io.meshorch.contracts.MeshEvent;
import io.meshorch.contracts.MeshFailed;
import io.meshorch.contracts.MeshReady;
import io.meshorch.contracts.MeshRejected;
import io.meshorch.contracts.NodeInfo;
import io.meshorch.contracts.PortsUpdated;
import io.meshorch.contracts.Topics;
import io.meshorch.contracts.Violation;
import io.meshorch.contracts.VmsReady;
import io.meshorch.contracts.validation.Ipv4Block;
import io.meshorch.meshctl.local.LocalStack;
import io.meshorch.testkit.EventProbe;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole product, end to end: meshctl publishes requests on a real Kafka broker, the five
 * services run unchanged against the sandbox cloud, and the tests check what an operator would: the
 * per-cluster steps, that clusters were built in parallel, the final node table, the OpenStack
 * ports, and that nothing secret ever reached a topic. Subclasses choose the broker.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class MeshScenarios {
  private static final List<Class<? extends MeshEvent>> STEPS =
      List.of(
          VmsReady.class,
          ClusterUp.class,
          CiliumReady.class,
          LbIpAssigned.class,
          PortsUpdated.class);

  @TempDir static Path data;
  static LocalStack stack;
  private static EventProbe probe;

  /** Starts the sandbox and the services on the broker of the subclass. */
  abstract LocalStack startStack(Path dataDir);

  @BeforeAll
  void startLocalMode() {
    stack = startStack(data);
    List<String> topics = new ArrayList<>(Topics.ALL);
    Topics.ALL.forEach(t -> topics.add(Topics.deadLetter(t)));
    probe = new EventProbe(stack.bootstrapServers(), topics);
  }

  @AfterAll
  void stop() {
    if (probe != null) {
      probe.close();
    }
    if (stack != null) {
      stack.close();
    }
  }

  static int meshctl(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--bootstrap-server", stack.bootstrapServers(), "--output", "json"));
    return MeshCtl.run(all.toArray(String[]::new));
  }

  private static String example(String name) {
    return Path.of("..", "examples", name).toString();
  }

  static List<EventEnvelope> of(String meshId, String cluster, Class<? extends MeshEvent> type) {
    return probe.events().stream()
        .filter(e -> meshId.equals(e.meshId()))
        .filter(e -> cluster == null || cluster.equals(e.cluster()))
        .filter(e -> type.isInstance(e.payload()))
        .toList();
  }

  @Test
  void theTwoExampleMeshesAreBuiltAtOnceWithoutLeakingSecrets() throws Exception {
    // Both examples, as a user runs them, at the same time on one platform and one network.
    CompletableFuture<Integer> two =
        CompletableFuture.supplyAsync(() -> meshctl("up", "-f", example("two-clusters.yaml")));
    CompletableFuture<Integer> three =
        CompletableFuture.supplyAsync(() -> meshctl("up", "-f", example("three-clusters.yaml")));

    assertThat(two.get(5, TimeUnit.MINUTES)).as("meshctl up two-clusters.yaml exit code").isZero();
    assertThat(three.get(5, TimeUnit.MINUTES))
        .as("meshctl up three-clusters.yaml exit code")
        .isZero();
    assertBuiltInParallel("demo", Map.of("east", 2, "west", 2));
    assertBuiltInParallel("trio", Map.of("east", 3, "west", 2, "north", 1));
    assertNoSecretOnAnyTopic();
  }

  /**
   * Mesh {@code meshId} is ready with clusters of {@code expectedNodes} nodes: each went through
   * every step once, in order, all at the same time; each sees exactly the nodes of every other;
   * its mesh endpoint comes from its pool and every node port allows it.
   */
  private static void assertBuiltInParallel(String meshId, Map<String, Integer> expectedNodes) {
    // Every cluster went through every step once, in order.
    Map<String, List<NodeInfo>> nodesOf = new java.util.HashMap<>();
    for (String cluster : expectedNodes.keySet()) {
      List<EventEnvelope> steps =
          probe.events().stream()
              .filter(e -> meshId.equals(e.meshId()) && cluster.equals(e.cluster()))
              .filter(e -> STEPS.stream().anyMatch(s -> s.isInstance(e.payload())))
              .toList();
      assertThat(steps)
          .as("step events of %s/%s", meshId, cluster)
          .extracting(e -> e.payload().getClass().getSimpleName())
          .containsExactlyElementsOf(STEPS.stream().map(Class::getSimpleName).toList());
      VmsReady vms = (VmsReady) steps.get(0).payload();
      assertThat(vms.nodes()).hasSize(expectedNodes.get(cluster));
      assertThat(vms.nodes()).allSatisfy(n -> assertThat(n.sshHostKeyFingerprints()).isNotEmpty());
      nodesOf.put(cluster, vms.nodes());
    }

    // The clusters were built at the same time: every cluster's VMs were ready before any
    // cluster's ports were updated.
    Instant lastVmsReady = latest(meshId, VmsReady.class);
    Instant firstPortsUpdated =
        of(meshId, null, PortsUpdated.class).stream()
            .map(EventEnvelope::occurredAt)
            .min(Instant::compareTo)
            .orElseThrow();
    assertThat(lastVmsReady).as("last VmsReady of %s", meshId).isBefore(firstPortsUpdated);

    // The node table: each cluster sees exactly the nodes of every other cluster.
    assertThat(of(meshId, null, MeshReady.class)).hasSize(1);
    MeshReady ready = (MeshReady) of(meshId, null, MeshReady.class).get(0).payload();
    assertThat(ready.clusters())
        .extracting(MeshReady.MeshClusterView::name)
        .containsExactlyInAnyOrderElementsOf(expectedNodes.keySet());
    for (MeshReady.MeshClusterView view : ready.clusters()) {
      Map<String, List<String>> sees =
          view.remoteNodes().stream()
              .collect(
                  Collectors.toMap(MeshReady.RemoteNodes::cluster, MeshReady.RemoteNodes::nodes));
      Map<String, List<String>> expected =
          nodesOf.entrySet().stream()
              .filter(e -> !e.getKey().equals(view.name()))
              .collect(
                  Collectors.toMap(
                      Map.Entry::getKey,
                      e -> e.getValue().stream().map(NodeInfo::name).sorted().toList()));
      assertThat(sees).as("what %s/%s sees", meshId, view.name()).isEqualTo(expected);
    }

    // The mesh endpoints come from each cluster's pool, and every node port allows its IP.
    for (EventEnvelope e : of(meshId, null, PortsUpdated.class)) {
      PortsUpdated ports = (PortsUpdated) e.payload();
      long ip = Ipv4Block.parseAddress(ports.meshEndpointIp()).orElseThrow();
      assertThat(Ipv4Block.parsePool(ports.cluster().lbAddressPool()).orElseThrow().contains(ip))
          .isTrue();
      for (NodeInfo node : ports.nodes()) {
        assertThat(
                stack
                    .cloud()
                    .findPort(node.portId())
                    .orElseThrow()
                    .allowedAddressPairs()
                    .toString())
            .as("allowed-address-pairs of %s", node.name())
            .contains(ports.meshEndpointIp());
      }
    }
  }

  @Test
  void anInvalidRequestIsRejectedWithEveryProblemAndCreatesNothing() {
    int exit = meshctl("up", "-f", example("invalid.yaml"));

    assertThat(exit).as("meshctl up exit code").isEqualTo(2);
    MeshRejected rejected = (MeshRejected) of("broken", null, MeshRejected.class).get(0).payload();
    assertThat(rejected.violations())
        .extracting(Violation::field)
        .contains(
            "clusters[0].name",
            "clusters[0].nodeCount",
            "clusters[1].id",
            "clusters[1].podCidr",
            "clusters[1].serviceCidr",
            "clusters[1].lbAddressPool");
    assertThat(stack.cloud().stackNames()).noneMatch(name -> name.startsWith("mesh-broken-"));
    assertThat(of("broken", null, VmsReady.class)).isEmpty();
  }

  @Test
  void aClusterThatCannotBeBuiltFailsTheMeshWithStageAndCause() throws IOException {
    Path file = data.resolve("bad-network.yaml");
    Files.writeString(
        file,
        """
        mesh: lost
        defaults:
          machine: {image: ubuntu-22.04, flavor: m1.large, network: no-such-network, keyName: mesh, sshUser: ubuntu}
        clusters:
          - {name: east, id: 1, nodeCount: 1, podCidr: 10.101.0.0/16, serviceCidr: 10.201.0.0/16, lbAddressPool: 192.168.50.10-192.168.50.19}
        """);

    int exit = meshctl("up", "-f", file.toString());

    assertThat(exit).as("meshctl up exit code").isEqualTo(1);
    MeshFailed failed = (MeshFailed) of("lost", null, MeshFailed.class).get(0).payload();
    assertThat(failed.stage()).isEqualTo("vms");
    assertThat(failed.cluster()).isEqualTo("east");
    assertThat(failed.reason()).contains("no-such-network");
    assertThat(failed.retryable())
        .as("a missing network needs a fix, not another run of up")
        .isFalse();
  }

  private static Instant latest(String meshId, Class<? extends MeshEvent> type) {
    return of(meshId, null, type).stream()
        .map(EventEnvelope::occurredAt)
        .max(Instant::compareTo)
        .orElseThrow();
  }

  /** No record on any topic carries a private key, a password, a token or kubeconfig contents. */
  private static void assertNoSecretOnAnyTopic() throws IOException {
    List<String> secrets = new ArrayList<>();
    secrets.add("PRIVATE KEY");
    secrets.add("client-key-data");
    secrets.add("client-certificate-data");
    for (String line : Files.readAllLines(data.resolve("clouds.yaml"))) {
      if (line.trim().startsWith("password:")) {
        secrets.add(line.trim().substring("password:".length()).trim());
      }
    }
    try (Stream<Path> files = Files.walk(stack.secretsDir())) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        String content = Files.readString(f, StandardCharsets.UTF_8);
        content
            .lines()
            .map(String::trim)
            .filter(l -> l.startsWith("token:") || l.contains("-data:") || l.startsWith("MII"))
            .map(l -> l.contains(":") ? l.substring(l.indexOf(':') + 1).trim() : l)
            .filter(v -> v.length() >= 16)
            .forEach(secrets::add);
      }
    }
    List<ConsumerRecord<String, byte[]>> records = probe.records();
    assertThat(records).isNotEmpty();
    for (ConsumerRecord<String, byte[]> record : records) {
      String value = new String(record.value(), StandardCharsets.UTF_8);
      for (String secret : secrets) {
        assertThat(value).as("record on %s", record.topic()).doesNotContain(secret);
      }
    }
  }
}
