package io.meshorch.sandbox.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshorch.sandbox.core.ClusterRef;
import io.meshorch.sandbox.core.SandboxLatencies;
import io.meshorch.sandbox.core.SandboxRecorder;
import io.meshorch.sandbox.core.SandboxStep;
import io.meshorch.sandbox.core.SideEffect;
import io.meshorch.sandbox.core.StepRecord;
import io.meshorch.sandbox.kube.rke.RkeStandIn;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code rke up} at a latency: per run, per cluster, and across a killed run. */
class RkeLatencyIT {
  @TempDir Path dir;
  private final SandboxRecorder recorder = new SandboxRecorder();
  private SandboxKube kube;

  private void start(String latencies) {
    kube =
        SandboxKube.builder()
            .controllerInterval(Duration.ofMillis(200))
            .latencies(SandboxLatencies.parse(latencies))
            .recorder(recorder)
            // registers node addresses for their mesh, with no VM behind them
            .nodeLogins(false)
            .build()
            .start();
  }

  @AfterEach
  void stop() {
    if (kube != null) {
      kube.close();
    }
  }

  private int up(Path file) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    return RkeStandIn.run(
        new String[] {"up", "--config", file.toString()},
        new PrintStream(out, true, StandardCharsets.UTF_8),
        kube.rkeControlUrl().toString());
  }

  @Test
  void upTakesItsLatencyAndARerunOnTheRunningClusterTheOtherOne() throws Exception {
    // The cloud sandbox registers its servers: the first node tells the cluster's mesh.
    recorder.registerNode("127.21.0.1", new ClusterRef("m1", "east"));
    start("fast,rke-up=100ms,rke-up@m1/east=1500ms,rke-up-again=400ms");
    Path file = KubeFixture.clusterYml(dir, "east", "127.21.0.1", KubeFixture.validServices());

    Instant t0 = Instant.now();
    assertThat(up(file)).isZero();
    Instant t1 = Instant.now();
    assertThat(up(file)).isZero();
    Instant t2 = Instant.now();

    assertThat(Duration.between(t0, t1)).isGreaterThanOrEqualTo(Duration.ofMillis(1500));
    assertThat(Duration.between(t1, t2)).isGreaterThanOrEqualTo(Duration.ofMillis(400));
    assertThat(file.resolveSibling("kube_config_cluster.yml")).exists();
    List<StepRecord> steps = kube.stepLog().records();
    assertThat(steps)
        .extracting(StepRecord::step, StepRecord::cluster)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(SandboxStep.RKE_UP, new ClusterRef("m1", "east")),
            org.assertj.core.groups.Tuple.tuple(
                SandboxStep.RKE_UP_AGAIN, new ClusterRef("m1", "east")));
    assertThat(kube.cluster("east").orElseThrow().ref()).isEqualTo(new ClusterRef("m1", "east"));
    assertThat(kube.counters().count(SideEffect.RKE_UP_INVOKED, "east")).isEqualTo(2);
    assertThat(kube.counters().count(SideEffect.RKE_CLUSTER_STARTED, "east")).isEqualTo(1);
  }

  @Test
  void aRunLastsItsLatencyFromItsProcessStartNotFromWhenItReachedTheSandbox() throws Exception {
    recorder.registerNode("127.21.4.1", new ClusterRef("m1", "west"));
    start("fast,rke-up=3s");
    Path file = KubeFixture.clusterYml(dir, "west", "127.21.4.1", KubeFixture.validServices());
    // A process that began two seconds ago (a slow JVM start, say) and reaches the sandbox now.
    Instant began = Instant.now().minusSeconds(2);

    int exit =
        RkeStandIn.run(
            new String[] {"up", "--config", file.toString()},
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            kube.rkeControlUrl().toString(),
            began);
    Instant answered = Instant.now();

    assertThat(exit).isZero();
    Instant finished = kube.stepLog().records(SandboxStep.RKE_UP, "west").get(0).finishedAt();
    assertThat(finished).isAfterOrEqualTo(began.plusSeconds(3));
    // Three seconds from its start, not from its arrival: one second later, not three.
    assertThat(Duration.between(began.plusSeconds(2), answered))
        .isLessThan(Duration.ofMillis(2500));
  }

  @Test
  void theExecutableRunLastsItsLatencyFromWhenItWasStarted() throws Exception {
    recorder.registerNode("127.21.5.1", new ClusterRef("m1", "north"));
    start("fast,rke-up=1500ms");
    Path rke = RkeStandInScript.write(dir.resolve("bin"), kube.rkeControlUrl());
    Path file = KubeFixture.clusterYml(dir, "north", "127.21.5.1", KubeFixture.validServices());

    Instant launched = Instant.now();
    Process run =
        new ProcessBuilder(rke.toString(), "up", "--config", file.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("north.log").toFile())
            .start();
    assertThat(run.waitFor(60, TimeUnit.SECONDS)).isTrue();

    assertThat(run.exitValue()).isZero();
    // Not early but by the kernel's clock tick (10 ms, twice for the two readings): the JVM's own
    // process start time can be up to a second before the process began (a boot time in whole
    // seconds), which shortened every run by as much.
    Instant finished = kube.stepLog().records(SandboxStep.RKE_UP, "north").get(0).finishedAt();
    assertThat(finished).isAfterOrEqualTo(launched.plusMillis(1500 - 20));
  }

  @Test
  void aSlowClusterDoesNotHoldBackAFastOne() throws Exception {
    start("fast,rke-up@slow=3s");
    Path slow = KubeFixture.clusterYml(dir, "slow", "127.21.1.1", KubeFixture.validServices());
    Path fast = KubeFixture.clusterYml(dir, "fast", "127.21.2.1", KubeFixture.validServices());

    CompletableFuture<Integer> slowRun = CompletableFuture.supplyAsync(() -> up(slow));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> kube.counters().total(SideEffect.RKE_UP_INVOKED) == 1);
    assertThat(up(fast)).isZero();

    assertThat(kube.cluster("fast")).isPresent();
    assertThat(kube.cluster("slow")).isEmpty();
    assertThat(slowRun.get(30, TimeUnit.SECONDS)).isZero();
    StepRecord slowDone = kube.stepLog().records(SandboxStep.RKE_UP, "slow").get(0);
    StepRecord fastDone = kube.stepLog().records(SandboxStep.RKE_UP, "fast").get(0);
    assertThat(fastDone.finishedAt()).isBefore(slowDone.finishedAt());
  }

  @Test
  void aKilledRunStillEndsInOneClusterWhichTheNextRunReuses() throws Exception {
    start("fast,rke-up=2s,rke-up-again=0");
    Path rke = RkeStandInScript.write(dir.resolve("bin"), kube.rkeControlUrl());
    Path file = KubeFixture.clusterYml(dir, "east", "127.21.3.1", KubeFixture.validServices());
    Process killed =
        new ProcessBuilder(rke.toString(), "up", "--config", file.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("killed.log").toFile())
            .start();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> kube.counters().total(SideEffect.RKE_UP_INVOKED) == 1);
    killed.destroyForcibly();
    assertThat(killed.waitFor(10, TimeUnit.SECONDS)).isTrue();

    assertThat(up(file)).isZero();

    assertThat(kube.clusters()).hasSize(1);
    assertThat(kube.counters().total(SideEffect.RKE_UP_INVOKED)).isEqualTo(2);
    assertThat(kube.counters().total(SideEffect.RKE_CLUSTER_STARTED)).isEqualTo(1);
    assertThat(Files.readString(file.resolveSibling("kube_config_cluster.yml")))
        .contains(kube.clusters().get(0).apiServerUrl());
  }
}
