package io.meshorch.rke.application;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshorch.contracts.ClusterFailed;
import io.meshorch.contracts.ClusterSpec;
import io.meshorch.contracts.ClusterUp;
import io.meshorch.contracts.EventCodec;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.EventType;
import io.meshorch.contracts.Topics;
import io.meshorch.contracts.VmsReady;
import io.meshorch.kit.dedupe.HandledEvents;
import io.meshorch.kit.failure.TerminalFailure;
import io.meshorch.kit.failure.TransientFailure;
import io.meshorch.kit.messaging.EventRoute;
import io.meshorch.kit.messaging.InboundDispatcher;
import io.meshorch.kit.port.EventPublisherPort;
import io.meshorch.kit.retry.Backoff;
import io.meshorch.kit.secrets.FileSecretStore;
import io.meshorch.rke.domain.CommandResult;
import io.meshorch.rke.domain.SshTarget;
import io.meshorch.rke.port.KubernetesDeployerPort;
import io.meshorch.rke.port.RemoteShellPort;
import io.meshorch.testkit.Samples;
import java.io.IOException;
import java.io.UncheckedIOException;
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
  @TempDir Path dir;
  private final ExecutorService pool = Executors.newFixedThreadPool(4);
  private final HandledEvents handled = new HandledEvents();
  private final List<EventEnvelope> published = new CopyOnWriteArrayList<>();
  private final EventPublisherPort publisher =
      e -> {
        published.add(e);
        handled.record(e);
      };
  private final FakeNodes nodes = new FakeNodes();
  private final FakeRke rke = new FakeRke();

  @AfterEach
  void stop() {
    pool.shutdownNow();
  }

  /** Nodes that answer after a number of unreachable attempts, or with a wrong host key. */
  static final class FakeNodes implements RemoteShellPort {
    final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    volatile int bootingCalls;
    volatile boolean wrongKey;

    @Override
    public CommandResult run(SshTarget target, String command, Duration timeout) {
      if (wrongKey) {
        throw new TerminalFailure("HOST_KEY_MISMATCH", "not the pinned key of " + target.node());
      }
      if (calls.computeIfAbsent(target.node(), n -> new AtomicInteger()).incrementAndGet()
          <= bootingCalls) {
        throw new TransientFailure("SSH_UNREACHABLE", target.node() + " refused");
      }
      return command.startsWith("cloud-init")
          ? new CommandResult(0, "status: done")
          : new CommandResult(0, "24.0.9");
    }
  }

  /** An rke that writes a kubeconfig, failing a number of times first. */
  static final class FakeRke implements KubernetesDeployerPort {
    final AtomicInteger runs = new AtomicInteger();
    volatile int failures;

    @Override
    public Path deploy(Path clusterFile) {
      if (runs.incrementAndGet() <= failures) {
        throw new TransientFailure("RKE_UP_FAILED", "FATA[0120] addon job timed out");
      }
      try {
        return Files.writeString(
            clusterFile.resolveSibling("kube_config_cluster.yml"),
            "clusters:\n- cluster:\n    server: \"https://10.0.0.1:6443\"\nusers:\n- user:\n    token: s3cr3t-token-value\n");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private VmsReadyHandler handler() {
    RkeSettings settings =
        new RkeSettings(
            "rke-service",
            22,
            "/keys/id",
            null,
            dir.resolve("work"),
            Duration.ofSeconds(5),
            Duration.ofMillis(10),
            Duration.ofSeconds(1),
            120,
            new Backoff(3, Duration.ofMillis(1), Duration.ofMillis(5), 2));
    return new VmsReadyHandler(
        nodes, pool, rke, new FileSecretStore(dir.resolve("secrets")), publisher, settings);
  }

  private static EventEnvelope vmsReady() {
    ClusterSpec east = Samples.cluster("east", 1, 2);
    return EventEnvelope.create(
        "demo",
        "east",
        UUID.randomUUID(),
        "infra-service",
        new VmsReady(east, "stack", Samples.nodes("demo", east)));
  }

  private List<EventEnvelope> outcomes() {
    return published.stream().filter(e -> e.eventType() != EventType.PROGRESS_REPORTED).toList();
  }

  @Test
  void waitsForBootingNodesThenPublishesClusterUpWithAKubeconfigReference() throws Exception {
    nodes.bootingCalls = 3;
    EventEnvelope event = vmsReady();

    handler().handle(event);

    ClusterUp up = (ClusterUp) outcomes().get(0).payload();
    assertThat(up.apiServerUrl()).isEqualTo("https://10.0.0.1:6443");
    assertThat(up.kubeconfigRef()).isEqualTo("meshes/demo/clusters/east/kubeconfig");
    assertThat(outcomes().get(0).causationId()).isEqualTo(event.eventId());
    assertThat(
            new String(
                new FileSecretStore(dir.resolve("secrets")).get(up.kubeconfigRef()).orElseThrow(),
                StandardCharsets.UTF_8))
        .contains("s3cr3t-token-value");
    Path clusterDir = dir.resolve("work/demo/east");
    assertThat(clusterDir.resolve("kube_config_cluster.yml")).doesNotExist();
    assertThat(Files.readString(clusterDir.resolve("cluster.yml"))).contains("plugin: none");
    assertThat(
            published.stream()
                .map(e -> new String(new EventCodec().encode(e), StandardCharsets.UTF_8)))
        .noneMatch(s -> s.contains("s3cr3t"));
  }

  @Test
  void runsRkeUpAgainAfterAFailureAsRkeAdvises() {
    rke.failures = 2;

    handler().handle(vmsReady());

    assertThat(rke.runs).hasValue(3);
    assertThat(outcomes())
        .singleElement()
        .satisfies(e -> assertThat(e.payload()).isInstanceOf(ClusterUp.class));
  }

  @Test
  void answersARedeliveredEventOnceWithOneRkeRun() {
    EventEnvelope event = vmsReady();
    InboundDispatcher inbound =
        new InboundDispatcher(new EventCodec(), handled, pool, publisher, "rke-service");
    List<EventRoute> routes =
        List.of(new EventRoute(EventType.VMS_READY, "kubernetes", handler()::handle));
    byte[] bytes = new EventCodec().encode(event);
    AtomicInteger acks = new AtomicInteger();

    inbound.dispatch(
        new ConsumerRecord<>(Topics.INFRA, 0, 0, "demo", bytes), acks::incrementAndGet, routes);
    await().atMost(Duration.ofSeconds(10)).until(() -> acks.get() == 1);
    inbound.dispatch(
        new ConsumerRecord<>(Topics.INFRA, 0, 1, "demo", bytes), acks::incrementAndGet, routes);
    await().atMost(Duration.ofSeconds(10)).until(() -> acks.get() == 2);

    assertThat(rke.runs).hasValue(1);
    assertThat(outcomes()).hasSize(1);
  }

  @Test
  void givesUpAtOnceOnAWrongHostKeyAndNeverRunsRke() {
    nodes.wrongKey = true;
    InboundDispatcher inbound =
        new InboundDispatcher(new EventCodec(), handled, pool, publisher, "rke-service");
    AtomicInteger acks = new AtomicInteger();

    inbound.dispatch(
        new ConsumerRecord<>(Topics.INFRA, 0, 0, "demo", new EventCodec().encode(vmsReady())),
        acks::incrementAndGet,
        List.of(new EventRoute(EventType.VMS_READY, "kubernetes", handler()::handle)));
    await().atMost(Duration.ofSeconds(10)).until(() -> acks.get() == 1);

    assertThat(rke.runs).hasValue(0);
    assertThat(outcomes())
        .singleElement()
        .satisfies(
            e -> {
              ClusterFailed failed = (ClusterFailed) e.payload();
              assertThat(failed.code()).isEqualTo("HOST_KEY_MISMATCH");
              assertThat(failed.retryable()).isFalse();
              assertThat(failed.stage()).isEqualTo("kubernetes");
            });
  }
}
