package io.meshorch.rke.application;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.meshorch.contracts.ClusterFailed;
import io.meshorch.contracts.ClusterSpec;
import io.meshorch.contracts.ClusterUp;
import io.meshorch.contracts.EventCodec;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.EventType;
import io.meshorch.contracts.NodeInfo;
import io.meshorch.contracts.ProgressReported;
import io.meshorch.contracts.Topics;
import io.meshorch.contracts.VmsReady;
import io.meshorch.kit.dedupe.HandledEvents;
import io.meshorch.kit.failure.StepFailure;
import io.meshorch.kit.failure.TerminalFailure;
import io.meshorch.kit.failure.TransientFailure;
import io.meshorch.kit.messaging.EventRoute;
import io.meshorch.kit.messaging.InboundDispatcher;
import io.meshorch.kit.port.EventPublisherPort;
import io.meshorch.kit.secrets.FileSecretStore;
import io.meshorch.rke.domain.ClusterPlan;
import io.meshorch.rke.domain.CommandResult;
import io.meshorch.rke.domain.HostKeyTrust;
import io.meshorch.rke.domain.Kubeconfig;
import io.meshorch.rke.domain.NodeChecks;
import io.meshorch.rke.domain.PlannedNode;
import io.meshorch.rke.domain.SshTarget;
import io.meshorch.rke.port.KubernetesDeployerPort;
import io.meshorch.rke.port.RemoteShellPort;
import io.meshorch.testkit.Samples;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VmsReadyHandlerTest {
  private static final String KUBECONFIG =
      "clusters:\n- cluster:\n    server: \"https://10.0.0.1:6443\"\n"
          + "users:\n- user:\n    token: s3cr3t-token-value\n";

  @TempDir Path dir;
  private final ExecutorService pool = Executors.newFixedThreadPool(4);
  private final ExecutorService nodeChecks = Executors.newFixedThreadPool(4);
  private final HandledEvents handled = new HandledEvents();
  private final List<EventEnvelope> published = new CopyOnWriteArrayList<>();
  private final EventPublisherPort publisher =
      e -> {
        published.add(e);
        handled.record(e);
      };
  private final FakeNodes nodes = new FakeNodes();
  private final FakeDeployer deployer = new FakeDeployer();

  @AfterEach
  void stop() {
    pool.shutdownNow();
    nodeChecks.shutdownNow();
  }

  /** Nodes that refuse connections a number of times first (booting), or show a wrong key. */
  static final class FakeNodes implements RemoteShellPort {
    final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    final List<SshTarget> targets = new CopyOnWriteArrayList<>();
    volatile int bootingCalls;
    volatile boolean wrongKey;
    volatile String cloudInit = "status: done";
    volatile boolean dockerUp = true;

    @Override
    public CommandResult run(SshTarget target, String command, Duration timeout) {
      targets.add(target);
      if (wrongKey) {
        throw new TerminalFailure("HOST_KEY_MISMATCH", "not the pinned key of " + target.node());
      }
      if (calls.computeIfAbsent(target.node(), n -> new AtomicInteger()).incrementAndGet()
          <= bootingCalls) {
        throw new TransientFailure("SSH_UNREACHABLE", target.node() + ": Connection refused");
      }
      if (command.equals(NodeChecks.CLOUD_INIT)) {
        return new CommandResult(0, cloudInit + "\n", "");
      }
      if (command.equals(NodeChecks.DOCKER)) {
        return dockerUp
            ? new CommandResult(0, "24.0.9\n", "")
            : new CommandResult(1, "", "Cannot connect to the Docker daemon");
      }
      return new CommandResult(127, "", "command not found");
    }
  }

  /** A deployer that remembers the clusters it brought up; may be told to fail. */
  static final class FakeDeployer implements KubernetesDeployerPort {
    final List<ClusterPlan> deployed = new CopyOnWriteArrayList<>();
    volatile StepFailure failure;

    @Override
    public Kubeconfig deploy(ClusterPlan plan) {
      if (failure != null) {
        throw failure;
      }
      deployed.add(plan);
      return new Kubeconfig(KUBECONFIG);
    }
  }

  private VmsReadyHandler handler(Path knownHosts, Duration readyTimeout) {
    NodeReadinessProbe probe =
        new NodeReadinessProbe(
            nodes,
            nodeChecks,
            new ReadinessTimings(Duration.ofMillis(10), readyTimeout, Duration.ofSeconds(1)));
    RkeStepSettings settings =
        new RkeStepSettings(22, Path.of("/keys/id"), knownHosts, null, Duration.ofSeconds(120));
    return new VmsReadyHandler(
        probe,
        deployer,
        new FileSecretStore(dir.resolve("secrets")),
        publisher,
        settings,
        "rke-service");
  }

  private VmsReadyHandler handler() {
    return handler(null, Duration.ofSeconds(5));
  }

  private static EventEnvelope vmsReady(boolean withFingerprints) {
    ClusterSpec east = Samples.cluster("east", 1, 2);
    List<NodeInfo> nodes =
        Samples.nodes("demo", east).stream()
            .map(
                n ->
                    new NodeInfo(
                        n.name(),
                        n.serverId(),
                        n.portId(),
                        n.address(),
                        withFingerprints ? List.of("SHA256:" + "x".repeat(43)) : List.of()))
            .toList();
    return EventEnvelope.create(
        "demo", "east", UUID.randomUUID(), "infra-service", new VmsReady(east, "stack", nodes));
  }

  private List<EventEnvelope> outcomes() {
    return published.stream().filter(e -> e.eventType() != EventType.PROGRESS_REPORTED).toList();
  }

  private List<String> progress() {
    return published.stream()
        .filter(e -> e.payload() instanceof ProgressReported)
        .map(e -> ((ProgressReported) e.payload()).message())
        .toList();
  }

  private ClusterFailed failureThroughTheKit(VmsReadyHandler handler, EventEnvelope event) {
    InboundDispatcher inbound =
        new InboundDispatcher(new EventCodec(), handled, pool, publisher, "rke-service");
    AtomicInteger acks = new AtomicInteger();
    inbound.dispatch(
        new ConsumerRecord<>(Topics.INFRA, 0, 0, "demo", new EventCodec().encode(event)),
        acks::incrementAndGet,
        List.of(new EventRoute(EventType.VMS_READY, "kubernetes", handler::handle)));
    await().atMost(Duration.ofSeconds(10)).until(() -> acks.get() == 1);
    assertThat(outcomes()).singleElement();
    assertThat(outcomes().get(0).causationId()).isEqualTo(event.eventId());
    return (ClusterFailed) outcomes().get(0).payload();
  }

  @Test
  void waitsForBootingNodesThenPublishesClusterUpWithAKubeconfigReference() throws Exception {
    nodes.bootingCalls = 3;
    EventEnvelope event = vmsReady(true);

    handler().handle(event);

    ClusterUp up = (ClusterUp) outcomes().get(0).payload();
    assertThat(up.apiServerUrl()).isEqualTo("https://10.0.0.1:6443");
    assertThat(up.kubeconfigRef()).isEqualTo("meshes/demo/clusters/east/kubeconfig");
    assertThat(up.nodes()).isEqualTo(((VmsReady) event.payload()).nodes());
    assertThat(outcomes().get(0).causationId()).isEqualTo(event.eventId());
    assertThat(outcomes().get(0).cluster()).isEqualTo("east");
    assertThat(
            new String(
                new FileSecretStore(dir.resolve("secrets")).get(up.kubeconfigRef()).orElseThrow(),
                StandardCharsets.UTF_8))
        .isEqualTo(KUBECONFIG);
    assertThat(progress())
        .contains(
            "node mesh-demo-east-node-0 ready (docker 24.0.9)",
            "node mesh-demo-east-node-1 ready (docker 24.0.9)");
    assertThat(
            published.stream()
                .map(e -> new String(new EventCodec().encode(e), StandardCharsets.UTF_8)))
        .noneMatch(s -> s.contains("s3cr3t"));
  }

  @Test
  void deploysTheClusterAsTheEventDescribesIt() {
    handler().handle(vmsReady(true));

    ClusterPlan plan = deployer.deployed.get(0);
    assertThat(plan.clusterName()).isEqualTo("east");
    assertThat(plan.sshUser()).isEqualTo("ubuntu");
    assertThat(plan.sshKeyPath()).isEqualTo("/keys/id");
    assertThat(plan.addonJobTimeoutSeconds()).isEqualTo(120);
    assertThat(plan.nodes())
        .extracting(PlannedNode::name, PlannedNode::roles)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                "mesh-demo-east-node-0", List.of("controlplane", "etcd", "worker")),
            org.assertj.core.groups.Tuple.tuple("mesh-demo-east-node-1", List.of("worker")));
    assertThat(nodes.targets)
        .allSatisfy(
            t -> {
              assertThat(t.trust()).isInstanceOf(HostKeyTrust.Pinned.class);
              assertThat(t.port()).isEqualTo(22);
              assertThat(t.user()).isEqualTo("ubuntu");
            });
  }

  @Test
  void answersARedeliveredEventOnceWithOneDeployment() {
    EventEnvelope event = vmsReady(true);
    InboundDispatcher inbound =
        new InboundDispatcher(new EventCodec(), handled, pool, publisher, "rke-service");
    VmsReadyHandler handler = handler();
    List<EventRoute> routes =
        List.of(new EventRoute(EventType.VMS_READY, "kubernetes", handler::handle));
    byte[] bytes = new EventCodec().encode(event);
    AtomicInteger acks = new AtomicInteger();

    inbound.dispatch(
        new ConsumerRecord<>(Topics.INFRA, 0, 0, "demo", bytes), acks::incrementAndGet, routes);
    await().atMost(Duration.ofSeconds(10)).until(() -> acks.get() == 1);
    inbound.dispatch(
        new ConsumerRecord<>(Topics.INFRA, 0, 1, "demo", bytes), acks::incrementAndGet, routes);
    await().atMost(Duration.ofSeconds(10)).until(() -> acks.get() == 2);

    assertThat(deployer.deployed).hasSize(1);
    assertThat(outcomes())
        .singleElement()
        .satisfies(e -> assertThat(e.payload()).isInstanceOf(ClusterUp.class));
  }

  @Test
  void givesUpAtOnceOnAWrongHostKeyAndNeverDeploys() {
    nodes.wrongKey = true;

    ClusterFailed failed = failureThroughTheKit(handler(), vmsReady(true));

    assertThat(failed.code()).isEqualTo("HOST_KEY_MISMATCH");
    assertThat(failed.retryable()).isFalse();
    assertThat(failed.stage()).isEqualTo("kubernetes");
    assertThat(deployer.deployed).isEmpty();
  }

  @Test
  void refusesNodesWithoutFingerprintsWhenNoKnownHostsFileIsConfigured() {
    ClusterFailed failed = failureThroughTheKit(handler(), vmsReady(false));

    assertThat(failed.code()).isEqualTo("HOST_KEY_UNKNOWN");
    assertThat(failed.retryable()).isFalse();
    assertThat(failed.reason()).contains("mesh.ssh.known-hosts");
    assertThat(nodes.targets).isEmpty();
    assertThat(deployer.deployed).isEmpty();
  }

  @Test
  void checksNodesWithoutFingerprintsAgainstTheKnownHostsFile() throws Exception {
    Path knownHosts = Files.writeString(dir.resolve("known_hosts"), "");

    handler(knownHosts, Duration.ofSeconds(5)).handle(vmsReady(false));

    assertThat(nodes.targets)
        .isNotEmpty()
        .allSatisfy(t -> assertThat(t.trust()).isEqualTo(new HostKeyTrust.KnownHosts(knownHosts)));
    assertThat(outcomes()).singleElement();
  }

  @Test
  void reportsAFailedDeploymentAsARetryableClusterFailedWithRkesFatalLine() {
    deployer.failure =
        new TransientFailure(
            "RKE_UP_FAILED",
            "rke up for cluster east failed 3 time(s) (mesh.rke.attempts); last: rke up exited with"
                + " 1: FATA[0120] Failed to get job complete status");

    ClusterFailed failed = failureThroughTheKit(handler(), vmsReady(true));

    assertThat(failed.code()).isEqualTo("RKE_UP_FAILED");
    assertThat(failed.retryable()).isTrue();
    assertThat(failed.reason()).contains("FATA[0120] Failed to get job complete status");
    assertThat(
            new FileSecretStore(dir.resolve("secrets")).get("meshes/demo/clusters/east/kubeconfig"))
        .isEmpty();
  }

  @Test
  void givesUpOnANodeWhoseDockerNeverAnswersWithinTheReadyTimeout() {
    nodes.dockerUp = false;

    assertThatThrownBy(() -> handler(null, Duration.ofMillis(300)).handle(vmsReady(true)))
        .isInstanceOfSatisfying(
            TransientFailure.class, e -> assertThat(e.code()).isEqualTo("NODE_NOT_READY"))
        .hasMessageContaining("mesh.ssh.ready-timeout")
        .hasMessageContaining("Cannot connect to the Docker daemon");
    assertThat(deployer.deployed).isEmpty();
  }

  @Test
  void givesUpAtOnceWhenCloudInitFailed() {
    nodes.cloudInit = "status: error";

    assertThatThrownBy(() -> handler().handle(vmsReady(true)))
        .isInstanceOfSatisfying(
            TerminalFailure.class, e -> assertThat(e.code()).isEqualTo("CLOUD_INIT_FAILED"));
    assertThat(deployer.deployed).isEmpty();
  }
}
