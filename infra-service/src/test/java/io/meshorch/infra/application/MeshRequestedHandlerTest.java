package io.meshorch.infra.application;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshorch.contracts.ClusterFailed;
import io.meshorch.contracts.ClusterSpec;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.MeshRejected;
import io.meshorch.contracts.MeshRequested;
import io.meshorch.contracts.NodeInfo;
import io.meshorch.contracts.ProgressReported;
import io.meshorch.contracts.VmsReady;
import io.meshorch.contracts.validation.MeshRequestValidator;
import io.meshorch.kit.retry.Backoff;
import io.meshorch.kit.retry.Retrier;
import io.meshorch.testkit.Samples;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MeshRequestedHandlerTest {
  private final FakeCloud cloud = new FakeCloud();
  private final RecordingPublisher publisher = new RecordingPublisher();
  private final ExecutorService executor = Executors.newFixedThreadPool(4);
  private VmsTimings timings =
      new VmsTimings(
          Duration.ofMillis(1), Duration.ofSeconds(5), Duration.ofMillis(1), Duration.ofSeconds(5));

  @AfterEach
  void stop() {
    executor.shutdownNow();
  }

  private MeshRequestedHandler handler() {
    Retrier retrier = new Retrier(new Backoff(3, Duration.ofMillis(1), Duration.ofMillis(1), 1.0));
    ClusterVmsProvisioner provisioner =
        new ClusterVmsProvisioner(cloud, cloud, publisher, retrier, timings, "infra-service");
    return new MeshRequestedHandler(
        new MeshRequestValidator(),
        provisioner,
        publisher,
        publisher.handled,
        executor,
        timings.clusterBound(),
        "infra-service");
  }

  private static EventEnvelope request(String meshId, ClusterSpec... clusters) {
    return EventEnvelope.create(
        meshId, null, null, "meshctl", new MeshRequested(List.of(clusters)));
  }

  private List<VmsReady> vmsReady() {
    return publisher.of(VmsReady.class).stream().map(e -> (VmsReady) e.payload()).toList();
  }

  @Test
  void rejectsAnInvalidRequestWithEveryViolationAndCreatesNothing() {
    ClusterSpec bad = Samples.cluster("East", 1, 0);
    ClusterSpec overlapping = Samples.cluster("west", 1, 1);
    EventEnvelope event = request("m1", bad, overlapping);

    handler().handle(event);

    assertThat(cloud.stacks).isEmpty();
    EventEnvelope rejected = publisher.events.get(0);
    assertThat(publisher.events).hasSize(1);
    assertThat(rejected.cluster()).isNull();
    assertThat(rejected.causationId()).isEqualTo(event.eventId());
    assertThat(((MeshRejected) rejected.payload()).violations())
        .extracting(v -> v.field())
        .contains(
            "clusters[0].name", "clusters[0].nodeCount", "clusters[1].id", "clusters[1].podCidr");
  }

  @Test
  void buildsEveryClusterAndReportsNodesWithHostKeys() {
    EventEnvelope event =
        request("m1", Samples.cluster("east", 1, 2), Samples.cluster("west", 2, 1));

    handler().handle(event);

    assertThat(cloud.stacks.keySet()).containsExactlyInAnyOrder("mesh-m1-east", "mesh-m1-west");
    assertThat(cloud.stacks.get("mesh-m1-east").tags).containsExactly("mesh:m1");
    EventEnvelope east =
        publisher.of(VmsReady.class).stream()
            .filter(e -> "east".equals(e.cluster()))
            .findFirst()
            .orElseThrow();
    assertThat(east.causationId()).isEqualTo(event.eventId());
    VmsReady ready = (VmsReady) east.payload();
    assertThat(ready.stackId()).isEqualTo("id-mesh-m1-east");
    assertThat(ready.cluster()).isEqualTo(Samples.cluster("east", 1, 2));
    assertThat(ready.nodes())
        .containsExactly(
            new NodeInfo(
                "mesh-m1-east-node-0",
                "mesh-m1-east-server-0",
                "mesh-m1-east-port-0",
                "10.0.12.10",
                List.of("SHA256:key-mesh-m1-east-server-0")),
            new NodeInfo(
                "mesh-m1-east-node-1",
                "mesh-m1-east-server-1",
                "mesh-m1-east-port-1",
                "10.0.12.11",
                List.of("SHA256:key-mesh-m1-east-server-1")));
    assertThat(vmsReady()).hasSize(2);
    assertThat(publisher.of(ProgressReported.class))
        .extracting(EventEnvelope::cluster)
        .contains("east", "west");
  }

  @Test
  void buildsClustersAtTheSameTime() {
    CountDownLatch bothCreating = new CountDownLatch(2);
    FakeCloud gated =
        new FakeCloud() {
          @Override
          public String createStack(String name, String template, List<String> tags) {
            bothCreating.countDown();
            try {
              if (!bothCreating.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the other cluster never started");
              }
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            return super.createStack(name, template, tags);
          }
        };
    Retrier retrier = new Retrier(new Backoff(1, Duration.ofMillis(1), Duration.ofMillis(1), 1.0));
    MeshRequestedHandler handler =
        new MeshRequestedHandler(
            new MeshRequestValidator(),
            new ClusterVmsProvisioner(gated, gated, publisher, retrier, timings, "infra-service"),
            publisher,
            publisher.handled,
            executor,
            timings.clusterBound(),
            "infra-service");

    handler.handle(request("m1", Samples.cluster("east", 1, 1), Samples.cluster("west", 2, 1)));

    assertThat(vmsReady()).hasSize(2);
  }

  @Test
  void answersARedeliveredRequestWithOneStackAndOneVmsReadyPerCluster() {
    EventEnvelope event =
        request("m1", Samples.cluster("east", 1, 1), Samples.cluster("west", 2, 1));
    MeshRequestedHandler handler = handler();

    handler.handle(event);
    handler.handle(event);

    assertThat(cloud.creates.get()).isEqualTo(2);
    assertThat(vmsReady())
        .extracting(r -> r.cluster().name())
        .containsExactlyInAnyOrder("east", "west");
  }

  @Test
  void reusesAStackThatExistsAlreadyAndReportsItAgain() {
    EventEnvelope first = request("m1", Samples.cluster("east", 1, 1));
    handler().handle(first);
    EventEnvelope second = request("m1", Samples.cluster("east", 1, 1));

    handler().handle(second);

    assertThat(cloud.creates.get()).isEqualTo(1);
    assertThat(publisher.of(VmsReady.class))
        .extracting(EventEnvelope::causationId)
        .containsExactly(first.eventId(), second.eventId());
  }

  @Test
  void reusesAStackCreatedConcurrentlyByAnotherInstance() {
    cloud.raceOn = "mesh-m1-east";

    handler().handle(request("m1", Samples.cluster("east", 1, 1)));

    assertThat(cloud.creates.get()).isZero();
    assertThat(vmsReady())
        .singleElement()
        .satisfies(r -> assertThat(r.stackId()).isEqualTo("other-mesh-m1-east"));
  }

  @Test
  void failsOnlyTheClusterWhoseStackFailed() {
    cloud.failingStacks.add("mesh-m1-west");

    handler().handle(request("m1", Samples.cluster("east", 1, 1), Samples.cluster("west", 2, 1)));

    assertThat(vmsReady())
        .singleElement()
        .satisfies(r -> assertThat(r.cluster().name()).isEqualTo("east"));
    EventEnvelope failed = publisher.of(ClusterFailed.class).get(0);
    assertThat(publisher.of(ClusterFailed.class)).hasSize(1);
    assertThat(failed.cluster()).isEqualTo("west");
    assertThat(failed.payload())
        .isEqualTo(
            new ClusterFailed(
                "vms",
                "HEAT_STACK_FAILED",
                "stack mesh-m1-west is CREATE_FAILED: Resource CREATE failed: No valid host was found.",
                false));
  }

  @Test
  void givesUpRetryablyWhenTheStackTakesTooLong() {
    cloud.readsUntilComplete = Integer.MAX_VALUE;
    timings =
        new VmsTimings(
            Duration.ofMillis(5),
            Duration.ofMillis(100),
            Duration.ofMillis(1),
            Duration.ofSeconds(1));

    handler().handle(request("m1", Samples.cluster("east", 1, 1)));

    ClusterFailed failed = (ClusterFailed) publisher.of(ClusterFailed.class).get(0).payload();
    assertThat(failed.code()).isEqualTo("HEAT_STACK_TIMEOUT");
    assertThat(failed.retryable()).isTrue();
    assertThat(failed.reason()).contains("mesh-m1-east", "CREATE_IN_PROGRESS");
  }

  @Test
  void reportsNodesWithoutHostKeysWhenTheConsoleStaysSilent() {
    cloud.consoleReadsUntilKeys = Integer.MAX_VALUE;
    timings =
        new VmsTimings(
            Duration.ofMillis(1),
            Duration.ofSeconds(5),
            Duration.ofMillis(5),
            Duration.ofMillis(50));

    handler().handle(request("m1", Samples.cluster("east", 1, 2)));

    List<NodeInfo> nodes = new ArrayList<>(vmsReady().get(0).nodes());
    assertThat(nodes).hasSize(2).allSatisfy(n -> assertThat(n.sshHostKeyFingerprints()).isEmpty());
  }

  @Test
  void buildsOnlyTheClustersNotAnsweredBeforeACrash() {
    EventEnvelope event =
        request("m1", Samples.cluster("east", 1, 1), Samples.cluster("west", 2, 1));
    publisher.handled.record(
        EventEnvelope.create(
            "m1",
            "east",
            event.eventId(),
            "infra-service",
            new ClusterFailed("vms", "HEAT_STACK_TIMEOUT", "earlier attempt", true)));

    handler().handle(event);

    assertThat(cloud.stacks.keySet()).containsExactly("mesh-m1-west");
    assertThat(vmsReady()).extracting(r -> r.cluster().name()).containsExactly("west");
  }
}
