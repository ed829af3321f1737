package io.meshorch.cni.application;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshorch.cni.application.Fakes.FakeCerts;
import io.meshorch.cni.application.Fakes.FakeClusters;
import io.meshorch.cni.application.Fakes.FakeMeshCa;
import io.meshorch.cni.domain.ApiServerEndpoint;
import io.meshorch.cni.domain.CiliumInstall;
import io.meshorch.cni.domain.CiliumRollout;
import io.meshorch.contracts.CiliumReady;
import io.meshorch.contracts.ClusterFailed;
import io.meshorch.contracts.ClusterSpec;
import io.meshorch.contracts.ClusterUp;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.Stage;
import io.meshorch.kit.failure.StepFailure;
import io.meshorch.kit.failure.TerminalFailure;
import io.meshorch.kit.failure.TransientFailure;
import io.meshorch.kit.step.Plan;
import io.meshorch.kit.step.Step;
import io.meshorch.kit.step.StepDriver;
import io.meshorch.kit.step.StepDriver.Result;
import io.meshorch.kit.step.StepKey;
import io.meshorch.kit.step.Wait;
import io.meshorch.testkit.Samples;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ClusterUpStepTest {
  private static final Duration READY_TIMEOUT = Duration.ofMinutes(5);
  private static final int MAX_CALLS = 50;

  private final FakeMeshCa meshCa = new FakeMeshCa();
  private final FakeCerts certs = new FakeCerts();
  private final FakeClusters clusters = new FakeClusters();
  private final ClusterUpSteps steps =
      new ClusterUpSteps(
          meshCa,
          certs,
          clusters,
          new CniStepSettings(
              "cilium-1.18.12.tgz", new ApiServerEndpoint("127.0.0.1", 6443), READY_TIMEOUT));

  private static String ref(String meshId, String cluster) {
    return "meshes/" + meshId + "/clusters/" + cluster + "/kubeconfig";
  }

  private static EventEnvelope clusterUp(String meshId, ClusterSpec spec) {
    return EventEnvelope.create(
        meshId,
        spec.name(),
        UUID.randomUUID(),
        "rke-service",
        new ClusterUp(
            spec,
            Samples.nodes(meshId, spec),
            "https://127.10.1.10:6443",
            ref(meshId, spec.name())));
  }

  /** The step the route plans for {@code event}, made afresh (as after a restart). */
  private Step stepFor(EventEnvelope event) {
    Plan plan = steps.plan(event);
    assertThat(plan).isInstanceOf(Plan.Steps.class);
    Plan.Planned planned = ((Plan.Steps) plan).steps().get(0);
    return planned.step().get();
  }

  private Result run(EventEnvelope event) {
    return new StepDriver(event, Stage.CNI).run(stepFor(event), MAX_CALLS);
  }

  private static CiliumReady ready(String meshId, ClusterSpec spec) {
    return new CiliumReady(spec, Samples.nodes(meshId, spec), ref(meshId, spec.name()), "1.18.12");
  }

  @Test
  void plansOneStepForTheClusterOfTheEvent() {
    EventEnvelope in = clusterUp("demo", Samples.cluster("east", 1, 2));

    Plan plan = steps.plan(in);

    assertThat(plan)
        .isInstanceOfSatisfying(
            Plan.Steps.class,
            s ->
                assertThat(s.steps())
                    .singleElement()
                    .satisfies(
                        p -> assertThat(p.key()).isEqualTo(new StepKey(in.eventId(), "east"))));
    assertThat(meshCa.generated).isZero();
    assertThat(clusters.writes).isEmpty();
  }

  @Test
  void installsCiliumWithTheMeshCaAndAnswersCiliumReadyOnceTheRolloutIsReady() {
    ClusterSpec east = Samples.cluster("east", 1, 2);
    clusters.checksBeforeReady = 3;
    EventEnvelope in = clusterUp("demo", east);
    StepDriver driver = new StepDriver(in, Stage.CNI);

    Result result = driver.run(stepFor(in), MAX_CALLS);

    assertThat(result).isEqualTo(new Result.Done(ready("demo", east)));
    CiliumInstall installed = clusters.applied.get(ref("demo", "east"));
    assertThat(installed.ca()).isEqualTo(meshCa.cas.get("demo"));
    assertThat(installed.certs()).isEqualTo(certs.kept.get("demo/east"));
    assertThat(installed.cluster().clusterName()).isEqualTo("east");
    assertThat(installed.cluster().clusterId()).isEqualTo(1);
    assertThat(installed.cluster().podCidr()).isEqualTo(east.podCidr());
    assertThat(installed.apiServer()).isEqualTo(new ApiServerEndpoint("127.0.0.1", 6443));
    assertThat(driver.progress())
        .containsExactly(
            "installing Cilium from chart cilium-1.18.12.tgz (cluster east, id 1, pods"
                + " 10.101.0.0/16)",
            "waiting for the Cilium agents, operator and clustermesh-apiserver");
    // four phases before the rollout, then 3 reads that find it not ready and the one that does
    assertThat(driver.calls()).isEqualTo(4 + 4);
  }

  @Test
  void waitsForTheRolloutNamingWhatIsMissing() {
    clusters.checksBeforeReady = Integer.MAX_VALUE;
    EventEnvelope in = clusterUp("demo", Samples.cluster("east", 1, 2));

    Result result = new StepDriver(in, Stage.CNI).run(stepFor(in), 10);

    assertThat(result)
        .isEqualTo(
            new Result.StillWaiting(
                Wait.of(
                    "Cilium rollout",
                    READY_TIMEOUT,
                    "CILIUM_NOT_READY",
                    "mesh.cilium.ready-timeout"),
                "DaemonSet cilium has 0/2 agents ready; Deployment cilium-operator has no available"
                    + " replica; Deployment clustermesh-apiserver has no available replica"));
  }

  @Test
  void opensOneRolloutWatchThatNudgesTheStepAndClosesWhenTheStepEnds() {
    clusters.checksBeforeReady = 5;
    EventEnvelope in = clusterUp("demo", Samples.cluster("east", 1, 2));
    StepDriver driver =
        new StepDriver(in, Stage.CNI)
            .beforeRecheck(() -> clusters.watches.forEach(Fakes.FakeWatch::change));

    Result result = driver.run(stepFor(in), MAX_CALLS);

    assertThat(result).isInstanceOf(Result.Done.class);
    assertThat(clusters.watches)
        .singleElement()
        .satisfies(
            w -> {
              assertThat(w.kubeconfigRef).isEqualTo(ref("demo", "east"));
              assertThat(w.closed).isTrue();
            });
    assertThat(driver.nudges()).isEqualTo(5);
  }

  @Test
  void aCheckTheWatchWokeTakesTheRolloutItShowedAndReadsOnlyToConfirmReadiness() {
    ClusterSpec east = Samples.cluster("east", 1, 2);
    clusters.checksBeforeReady = 1;
    EventEnvelope in = clusterUp("demo", east);
    AtomicInteger changes = new AtomicInteger();
    StepDriver driver =
        new StepDriver(in, Stage.CNI)
            .beforeRecheck(
                () ->
                    clusters.watches.forEach(
                        w ->
                            w.change(
                                changes.incrementAndGet() < 4
                                    ? new CiliumRollout(2, 1, 1, 0)
                                    : new CiliumRollout(2, 2, 1, 1))));

    Result result = driver.run(stepFor(in), MAX_CALLS);

    assertThat(result).isEqualTo(new Result.Done(ready("demo", east)));
    assertThat(driver.nudges()).isEqualTo(4);
    // the read before any change, then none for three changes that showed the rollout not ready,
    // and the read that confirmed what the fourth showed
    assertThat(clusters.reads).isEqualTo(2);
  }

  static Stream<Arguments> readFailures() {
    Supplier<StepFailure> unavailable =
        () -> new TransientFailure("KUBE_API_UNAVAILABLE", "read DaemonSet: connection refused");
    Supplier<StepFailure> rejected =
        () -> new TerminalFailure("KUBE_API_REJECTED", "read DaemonSet: 403 Forbidden");
    return Stream.of(
        Arguments.of("one transient error", 1, unavailable, null),
        Arguments.of("transient errors in a row", 4, unavailable, null),
        Arguments.of("a terminal error", 1, rejected, "KUBE_API_REJECTED"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("readFailures")
  void keepsWaitingThroughTransientReadErrorsAndEndsOnTerminalOnes(
      String what, int times, Supplier<StepFailure> failure, String failedWith) {
    ClusterSpec east = Samples.cluster("east", 1, 2);
    clusters.failReads(times, failure);
    EventEnvelope in = clusterUp("demo", east);

    Result result = run(in);

    if (failedWith == null) {
      assertThat(result).isEqualTo(new Result.Done(ready("demo", east)));
    } else {
      assertThat(result)
          .isInstanceOfSatisfying(
              Result.Failed.class,
              f -> {
                assertThat(f.failure().code()).isEqualTo(failedWith);
                assertThat(f.failure().retryable()).isFalse();
              });
    }
  }

  @Test
  void saysWhileWaitingThatTheStatusCannotBeRead() {
    clusters.failReads(
        Integer.MAX_VALUE,
        () -> new TransientFailure("KUBE_API_UNAVAILABLE", "read DaemonSet: connection refused"));
    EventEnvelope in = clusterUp("demo", Samples.cluster("east", 1, 2));

    Result result = new StepDriver(in, Stage.CNI).run(stepFor(in), 10);

    assertThat(result)
        .isInstanceOfSatisfying(
            Result.StillWaiting.class,
            w -> {
              assertThat(w.until().timeoutCode()).isEqualTo("CILIUM_NOT_READY");
              assertThat(w.status())
                  .contains("cannot be read", "connection refused")
                  .contains("last seen: DaemonSet cilium has no agent scheduled");
            });
  }

  @Test
  void failsTerminallyOnAnotherCaInTheClusterWithoutInstalling() {
    clusters.caSecrets.put(ref("demo", "east"), Fakes.ca("someone-elses-ca"));
    EventEnvelope in = clusterUp("demo", Samples.cluster("east", 1, 2));

    Result result = run(in);

    assertThat(result)
        .isInstanceOfSatisfying(
            Result.Failed.class,
            f -> {
              assertThat(f.failure().code()).isEqualTo("CA_MISMATCH");
              assertThat(f.failure().retryable()).isFalse();
              assertThat(f.failure().getMessage())
                  .contains("kube-system/cilium-ca", "east", "meshes/demo/cilium-ca")
                  .doesNotContain("PRIVATE KEY");
            });
    assertThat(clusters.writes).isEmpty();
    assertThat(clusters.watches).isEmpty();
    assertThat(clusters.caSecrets.get(ref("demo", "east"))).isEqualTo(Fakes.ca("someone-elses-ca"));
  }

  @Test
  void aFreshStepForTheSameClusterUpChangesNothingAndAnswersTheSame() {
    ClusterSpec east = Samples.cluster("east", 1, 2);
    EventEnvelope in = clusterUp("demo", east);
    Result first = run(in);
    CiliumInstall installed = clusters.applied.get(ref("demo", "east"));

    Result replay = run(in);

    assertThat(replay).isEqualTo(first).isEqualTo(new Result.Done(ready("demo", east)));
    assertThat(clusters.writes).containsExactly(ref("demo", "east"));
    assertThat(clusters.applied.get(ref("demo", "east"))).isSameAs(installed);
    assertThat(certs.issued).as("certificates are never issued again").isEqualTo(1);
    assertThat(meshCa.generated).isEqualTo(1);
  }

  @Test
  void aClusterInstalledForTheSameClusterUpIsOnlyReadWhenItStillHoldsTheMeshCa() {
    ClusterSpec east = Samples.cluster("east", 1, 2);
    ClusterUpSteps remembering = stepsRemembering(clusterUp("demo", east));
    EventEnvelope again = clusterUp("demo", east);
    StepDriver driver = new StepDriver(again, Stage.CNI);

    Result result = driver.run(stepOf(remembering, again), MAX_CALLS);

    assertThat(result).isEqualTo(new Result.Done(ready("demo", east)));
    assertThat(clusters.applyCalls).as("applies: the first install only").isEqualTo(1);
    assertThat(driver.progress())
        .contains("Cilium v1.18.12 is installed and ready already; nothing written");
  }

  @Test
  void aClusterThatLostItsCaSecretOrItsCiliumIsInstalledAgain() {
    ClusterSpec east = Samples.cluster("east", 1, 2);
    ClusterUpSteps remembering = stepsRemembering(clusterUp("demo", east));
    clusters.caSecrets.remove(ref("demo", "east")); // deleted to repair a CA mismatch

    Result afterCaDeleted = run(remembering, clusterUp("demo", east));

    assertThat(afterCaDeleted).isEqualTo(new Result.Done(ready("demo", east)));
    assertThat(clusters.applyCalls).isEqualTo(2);

    clusters.applied.remove(ref("demo", "east")); // the workloads are gone, the CA secret stays
    Result afterCiliumDeleted = run(remembering, clusterUp("demo", east));

    assertThat(afterCiliumDeleted).isEqualTo(new Result.Done(ready("demo", east)));
    assertThat(clusters.applyCalls).isEqualTo(3);
  }

  /** Steps that remember the {@code CiliumReady} of a first install of {@code first}'s cluster. */
  private ClusterUpSteps stepsRemembering(EventEnvelope first) {
    InstalledClusters installed = new InstalledClusters();
    ClusterUpSteps remembering =
        new ClusterUpSteps(
            meshCa,
            certs,
            clusters,
            new CniStepSettings(
                "cilium-1.18.12.tgz", new ApiServerEndpoint("127.0.0.1", 6443), READY_TIMEOUT),
            installed);
    Result done = run(remembering, first);
    installed.observe(
        EventEnvelope.create(
            first.meshId(),
            first.cluster(),
            first.eventId(),
            "cni-service",
            ((Result.Done) done).outcome()));
    return remembering;
  }

  private static Step stepOf(ClusterUpSteps steps, EventEnvelope event) {
    return ((Plan.Steps) steps.plan(event)).steps().get(0).step().get();
  }

  private static Result run(ClusterUpSteps steps, EventEnvelope event) {
    return new StepDriver(event, Stage.CNI).run(stepOf(steps, event), MAX_CALLS);
  }

  @Test
  void sharesOneCaAcrossTheClustersOfAMeshAndNotAcrossMeshes() {
    run(clusterUp("demo", Samples.cluster("east", 1, 1)));
    run(clusterUp("demo", Samples.cluster("west", 2, 1)));
    run(clusterUp("other", Samples.cluster("east", 1, 1)));

    assertThat(clusters.caSecrets.get(ref("demo", "east")))
        .isEqualTo(clusters.caSecrets.get(ref("demo", "west")))
        .isNotEqualTo(clusters.caSecrets.get(ref("other", "east")));
    assertThat(meshCa.generated).isEqualTo(2);
    assertThat(certs.kept).containsOnlyKeys("demo/east", "demo/west", "other/east");
  }

  @Test
  void answersASpecCiliumCannotRunWithATerminalFailureBeforeTouchingTheCluster() {
    ClusterSpec s = Samples.cluster("east", 1, 2);
    ClusterSpec tooSmall =
        new ClusterSpec(
            s.name(), s.id(), 2, "10.1.0.0/24", s.serviceCidr(), s.lbAddressPool(), s.machine());

    Plan plan = steps.plan(clusterUp("demo", tooSmall));

    assertThat(plan)
        .isInstanceOfSatisfying(
            Plan.Answer.class,
            a ->
                assertThat(a.outcome())
                    .isInstanceOfSatisfying(
                        ClusterFailed.class,
                        f -> {
                          assertThat(f.stage()).isEqualTo(Stage.CNI);
                          assertThat(f.code()).isEqualTo("CILIUM_VALUES_INVALID");
                          assertThat(f.retryable()).isFalse();
                          assertThat(f.reason()).contains("cluster.podCidr");
                        }));
    assertThat(clusters.writes).isEmpty();
    assertThat(meshCa.generated).isZero();
  }
}
