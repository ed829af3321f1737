package io.meshorch.rke.application;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshorch.contracts.ClusterSpec;
import io.meshorch.contracts.ClusterUp;
import io.meshorch.contracts.EventCodec;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.KubernetesSpec;
import io.meshorch.contracts.NodeInfo;
import io.meshorch.contracts.ProgressReported;
import io.meshorch.contracts.VmsReady;
import io.meshorch.kit.failure.StepFailure;
import io.meshorch.kit.step.StepDriver;
import io.meshorch.kit.step.StepEnd;
import io.meshorch.rke.application.Fakes.Boot;
import io.meshorch.rke.domain.ClusterPlan;
import io.meshorch.rke.domain.HostKeyTrust;
import io.meshorch.rke.domain.PlannedNode;
import io.meshorch.testkit.MutableClock;
import io.meshorch.testkit.Samples;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The VmsReady step on stateful fakes, driven call by call as the kit would. */
class VmsReadyStepTest {
  private static final String NODE_0 = "mesh-demo-east-node-0";
  private static final String NODE_1 = "mesh-demo-east-node-1";
  private static final String KUBECONFIG_REF = "meshes/demo/clusters/east/kubeconfig";
  private static final Duration READY_TIMEOUT = Duration.ofMinutes(15);
  private static final Duration RKE_TIMEOUT = Duration.ofMinutes(30);
  private static final ClusterSpec EAST = Samples.cluster("east", 1, 2);

  @TempDir Path dir;
  private final MutableClock clock = new MutableClock();
  private final Fakes.Nodes nodes = new Fakes.Nodes();
  private final Fakes.Deployer deployer = new Fakes.Deployer(clock);
  private final Fakes.Secrets secrets = new Fakes.Secrets();

  private VmsReadySteps steps(Path knownHosts) {
    return new VmsReadySteps(
        nodes,
        deployer,
        secrets,
        new RkeStepSettings(
            22,
            Path.of("/keys/id"),
            knownHosts,
            Duration.ofSeconds(30),
            READY_TIMEOUT,
            RKE_TIMEOUT,
            null,
            Duration.ofSeconds(120)),
        clock,
        Runnable::run); // a round's checks run in the call: each call's SSH is countable
  }

  private VmsReadySteps steps() {
    return steps(null);
  }

  private static EventEnvelope vmsReady(boolean withFingerprints, String... serverIds) {
    return vmsReady(EAST, withFingerprints, serverIds);
  }

  private static EventEnvelope vmsReady(
      ClusterSpec spec, boolean withFingerprints, String... serverIds) {
    List<NodeInfo> nodes = new ArrayList<>();
    List<NodeInfo> sample = Samples.nodes("demo", spec);
    for (int i = 0; i < sample.size(); i++) {
      NodeInfo n = sample.get(i);
      nodes.add(
          new NodeInfo(
              n.name(),
              serverIds.length > i ? serverIds[i] : n.serverId(),
              n.portId(),
              n.address(),
              withFingerprints ? List.of("SHA256:" + "x".repeat(43)) : List.of()));
    }
    return EventEnvelope.create(
        "demo", "east", UUID.randomUUID(), "infra-service", new VmsReady(spec, "stack", nodes));
  }

  private static StepDriver driver(EventEnvelope event) {
    return new StepDriver(event, "kubernetes");
  }

  private static ClusterUp clusterUp(StepDriver.Result result) {
    assertThat(result).isInstanceOf(StepDriver.Result.Done.class);
    return (ClusterUp) ((StepDriver.Result.Done) result).outcome();
  }

  private static StepFailure failure(StepDriver.Result result) {
    assertThat(result).isInstanceOf(StepDriver.Result.Failed.class);
    return ((StepDriver.Result.Failed) result).failure();
  }

  private static StepDriver.Result.StillWaiting waiting(StepDriver.Result result) {
    assertThat(result).isInstanceOf(StepDriver.Result.StillWaiting.class);
    return (StepDriver.Result.StillWaiting) result;
  }

  @Test
  void anRke2ClustersNodesAreReadyOnceCloudInitIsDoneWithoutDockerAndRke2DeploysThem() {
    ClusterSpec rke2 =
        new ClusterSpec(
            EAST.name(),
            EAST.id(),
            EAST.nodeCount(),
            EAST.podCidr(),
            EAST.serviceCidr(),
            EAST.lbAddressPool(),
            EAST.machine(),
            new KubernetesSpec(KubernetesSpec.RKE2, "v1.30.4+rke2r1"));
    // cloud-init done, no Docker answering: what an RKE2 node's user data leaves.
    nodes.boot.put(NODE_0, Boot.DOCKER_STARTING);
    nodes.boot.put(NODE_1, Boot.DOCKER_STARTING);
    EventEnvelope event = vmsReady(rke2, true);

    ClusterUp up = clusterUp(driver(event).run(steps().stepFor(event), 100));

    assertThat(up.cluster().kubernetes()).isEqualTo(rke2.kubernetes());
    assertThat(nodes.commands).noneMatch(c -> c.contains("docker"));
    assertThat(deployer.started)
        .singleElement()
        .satisfies(
            plan -> {
              assertThat(plan.rke2()).isTrue();
              assertThat(plan.kubernetesVersion()).isEqualTo("v1.30.4+rke2r1");
            });
  }

  @Test
  void waitsForBootingNodesAndForRkeUpWithoutBlockingThenPublishesClusterUp() {
    nodes.boot.put(NODE_0, Boot.OFF);
    nodes.boot.put(NODE_1, Boot.CLOUD_INIT_RUNNING);
    deployer.endAtOnce = false;
    EventEnvelope event = vmsReady(true);
    StepDriver driver =
        driver(event)
            .beforeRecheck(
                () -> {
                  nodes.bootOn();
                  if (!deployer.current.isEmpty()) {
                    deployer.endRuns();
                  }
                });

    ClusterUp up = clusterUp(driver.run(steps().stepFor(event), 100));

    assertThat(up.apiServerUrl()).isEqualTo("https://10.0.0.1:6443");
    assertThat(up.kubeconfigRef()).isEqualTo(KUBECONFIG_REF);
    assertThat(up.nodes()).isEqualTo(((VmsReady) event.payload()).nodes());
    assertThat(up.cluster()).isEqualTo(EAST);
    assertThat(secrets.text(KUBECONFIG_REF)).isEqualTo(Fakes.KUBECONFIG);
    assertThat(deployer.started).hasSize(1);
    assertThat(driver.nudges())
        .as("each node check and the run's exit nudge the step")
        .isEqualTo(nodes.connections.size() + 1);
    assertThat(driver.progress())
        .containsSubsequence(
            "waiting for 2 node(s) over SSH",
            "node " + NODE_1 + " ready (docker 24.0.9)",
            "node " + NODE_0 + " ready (docker 24.0.9)",
            "deploying Kubernetes on 2 node(s)")
        .containsOnlyOnce(
            "node " + NODE_0 + " ready (docker 24.0.9)",
            "node " + NODE_1 + " ready (docker 24.0.9)");
    EventCodec codec = new EventCodec();
    List<String> wire = new ArrayList<>();
    wire.add(new String(codec.encode(envelope(event, up)), StandardCharsets.UTF_8));
    driver.progress().stream()
        .map(m -> envelope(event, new ProgressReported("kubernetes", m)))
        .map(e -> new String(codec.encode(e), StandardCharsets.UTF_8))
        .forEach(wire::add);
    assertThat(wire).noneMatch(s -> s.contains("s3cr3t"));
  }

  private static EventEnvelope envelope(
      EventEnvelope cause, io.meshorch.contracts.MeshEvent payload) {
    return EventEnvelope.create(
        cause.meshId(), cause.cluster(), cause.eventId(), "rke-service", payload);
  }

  @Test
  void checksEveryNodeNotReadyOncePerRoundAndNeverAgainANodeThatIsReady() {
    nodes.boot.put(NODE_1, Boot.DOCKER_STARTING);
    EventEnvelope event = vmsReady(true);
    StepDriver driver = driver(event);

    // call 1 plans, then each call is a round (its checks end within it here)
    StepDriver.Result.StillWaiting stillWaiting = waiting(driver.run(steps().stepFor(event), 6));

    assertThat(stillWaiting.until().name()).isEqualTo("nodes ready over SSH");
    assertThat(stillWaiting.until().timeoutCode()).isEqualTo("NODE_NOT_READY");
    assertThat(stillWaiting.until().setting()).isEqualTo("mesh.ssh.ready-timeout");
    assertThat(stillWaiting.until().timeout()).isEqualTo(READY_TIMEOUT);
    assertThat(stillWaiting.status())
        .startsWith("1 of 2 node(s) not ready: " + NODE_1 + ": ")
        .contains("the Docker daemon does not answer yet")
        .doesNotContain(NODE_0);
    assertThat(nodes.commandsTo(NODE_0)).as("cloud-init, docker, then never again").isEqualTo(2);
    assertThat(nodes.connections)
        .filteredOn(NODE_0::equals)
        .as("both checks of a node ready at the first look share one SSH connection")
        .hasSize(1);
    assertThat(nodes.connections)
        .as("five rounds: both nodes in the first, then only the one not ready")
        .containsExactly(NODE_0, NODE_1, NODE_1, NODE_1, NODE_1, NODE_1);
    assertThat(nodes.commands)
        .filteredOn(c -> c.startsWith(NODE_1))
        .as("cloud-init is not asked again once it said done")
        .containsOnlyOnce(NODE_1 + ": cloud-init status");
    assertThat(deployer.started).isEmpty();
  }

  @ParameterizedTest(name = "a node that is {0} is not ready yet: {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "OFF|SSH_UNREACHABLE",
        "KEY_NOT_INSTALLED|SSH_AUTH_FAILED",
        "CLOUD_INIT_RUNNING|cloud-init: status: running",
        "DOCKER_STARTING|the Docker daemon does not answer yet"
      })
  void waitsForANodeOnItsWayUpAndDeploysOnceItIsReady(Boot state, String reason) {
    nodes.boot.put(NODE_0, state);
    EventEnvelope event = vmsReady(true);
    StepDriver driver = driver(event);
    VmsReadyStep step = (VmsReadyStep) steps().stepFor(event);

    StepDriver.Result.StillWaiting first = waiting(driver.run(step, 4));
    driver.beforeRecheck(nodes::bootOn);
    ClusterUp up = clusterUp(driver.run(step, 100));

    assertThat(first.status()).contains(NODE_0 + ": ").contains(reason);
    assertThat(up.kubeconfigRef()).isEqualTo(KUBECONFIG_REF);
    assertThat(deployer.started).hasSize(1);
  }

  @Test
  void endsAtOnceOnAWrongHostKeyAndNeverDeploys() {
    nodes.wrongKey = true;
    EventEnvelope event = vmsReady(true);

    StepFailure failed = failure(driver(event).run(steps().stepFor(event), 100));

    assertThat(failed.code()).isEqualTo("HOST_KEY_MISMATCH");
    assertThat(failed.retryable()).isFalse();
    assertThat(deployer.started).isEmpty();
  }

  @Test
  void refusesNodesWithoutFingerprintsWhenNoKnownHostsFileIsConfigured() {
    EventEnvelope event = vmsReady(false);

    StepFailure failed = failure(driver(event).run(steps().stepFor(event), 100));

    assertThat(failed.code()).isEqualTo("HOST_KEY_UNKNOWN");
    assertThat(failed.retryable()).isFalse();
    assertThat(failed.getMessage()).contains("mesh.ssh.known-hosts");
    assertThat(nodes.commands).isEmpty();
    assertThat(deployer.started).isEmpty();
  }

  @Test
  void checksNodesWithoutFingerprintsAgainstTheKnownHostsFile() throws Exception {
    Path knownHosts = Files.writeString(dir.resolve("known_hosts"), "");
    EventEnvelope event = vmsReady(false);

    clusterUp(driver(event).run(steps(knownHosts).stepFor(event), 100));

    assertThat(nodes.targets)
        .isNotEmpty()
        .allSatisfy(t -> assertThat(t.trust()).isEqualTo(new HostKeyTrust.KnownHosts(knownHosts)));
  }

  @Test
  void deploysTheClusterAsTheEventDescribesIt() {
    EventEnvelope event = vmsReady(true);

    clusterUp(driver(event).run(steps().stepFor(event), 100));

    ClusterPlan plan = deployer.started.get(0);
    assertThat(plan.clusterName()).isEqualTo("east");
    assertThat(plan.sshUser()).isEqualTo("ubuntu");
    assertThat(plan.sshKeyPath()).isEqualTo("/keys/id");
    assertThat(plan.addonJobTimeoutSeconds()).isEqualTo(120);
    assertThat(plan.nodes())
        .extracting(PlannedNode::name, PlannedNode::roles)
        .containsExactly(
            Tuple.tuple(NODE_0, List.of("controlplane", "etcd", "worker")),
            Tuple.tuple(NODE_1, List.of("worker")));
    assertThat(nodes.targets)
        .allSatisfy(
            t -> {
              assertThat(t.trust()).isInstanceOf(HostKeyTrust.Pinned.class);
              assertThat(t.port()).isEqualTo(22);
              assertThat(t.user()).isEqualTo("ubuntu");
            });
  }

  @Test
  void refusesAClusterSpecItCannotPlanNamingTheField() {
    NodeInfo blank = new NodeInfo(NODE_0, "server-0", "port-0", " ", List.of());
    EventEnvelope event =
        EventEnvelope.create(
            "demo", "east", UUID.randomUUID(), "infra", new VmsReady(EAST, "s", List.of(blank)));

    StepFailure failed = failure(driver(event).run(steps().stepFor(event), 10));

    assertThat(failed.code()).isEqualTo("CLUSTER_SPEC_INVALID");
    assertThat(failed.retryable()).isFalse();
    assertThat(failed.getMessage()).contains("nodes[].address");
    assertThat(nodes.commands).isEmpty();
  }

  @Test
  void endsAtOnceWhenCloudInitFailed() {
    nodes.boot.put(NODE_1, Boot.CLOUD_INIT_ERROR);
    EventEnvelope event = vmsReady(true);

    StepFailure failed = failure(driver(event).run(steps().stepFor(event), 100));

    assertThat(failed.code()).isEqualTo("CLOUD_INIT_FAILED");
    assertThat(failed.retryable()).isFalse();
    assertThat(failed.getMessage()).contains(NODE_1, "status: error");
    assertThat(deployer.started).isEmpty();
  }

  @Test
  void endsAtOnceNamingNodeUserAndFixWhenTheUserIsDeniedTheDockerSocket() {
    nodes.boot.put(NODE_1, Boot.NOT_IN_DOCKER_GROUP);
    EventEnvelope event = vmsReady(true);

    StepFailure failed = failure(driver(event).run(steps().stepFor(event), 100));

    assertThat(failed.code()).isEqualTo("DOCKER_ACCESS_DENIED");
    assertThat(failed.retryable()).isFalse();
    assertThat(failed.getMessage())
        .contains(NODE_1, "user ubuntu", "permission denied", "usermod -aG docker ubuntu");
    assertThat(nodes.commandsTo(NODE_1)).isEqualTo(2);
    assertThat(deployer.started).isEmpty();
  }

  @Test
  void givesUpWithSshAuthFailedWhenTheKeyIsStillRefusedAtTheDeadline() {
    nodes.boot.put(NODE_1, Boot.KEY_NOT_INSTALLED);
    EventEnvelope event = vmsReady(true);
    StepDriver driver = driver(event).beforeRecheck(() -> clock.advance(Duration.ofMinutes(4)));

    StepFailure failed = failure(driver.run(steps().stepFor(event), 100));

    assertThat(failed.code()).isEqualTo("SSH_AUTH_FAILED");
    assertThat(failed.retryable()).isFalse();
    assertThat(failed.getMessage())
        .contains(NODE_1, "user ubuntu", "mesh.ssh.private-key-path", "mesh.ssh.ready-timeout")
        .doesNotContain(NODE_0 + ":");
    assertThat(deployer.started).isEmpty();
  }

  @Test
  void reportsAFailedRunRetryablyWithRkesFatalLineAndStoresNothing() {
    deployer.failuresToCome.set(1);
    EventEnvelope event = vmsReady(true);

    StepFailure failed = failure(driver(event).run(steps().stepFor(event), 100));

    assertThat(failed.code()).isEqualTo("RKE_UP_FAILED");
    assertThat(failed.retryable()).isTrue();
    assertThat(failed.getMessage())
        .contains("rke up for cluster east failed")
        .contains("FATA[0120] Failed to get job complete status");
    assertThat(secrets.values).isEmpty();
  }

  @Test
  void killsARunPastMeshRkeTimeoutAndFailsRetryably() {
    deployer.endAtOnce = false;
    EventEnvelope event = vmsReady(true);
    StepDriver driver = driver(event).beforeRecheck(() -> clock.advance(Duration.ofMinutes(7)));

    StepFailure failed = failure(driver.run(steps().stepFor(event), 100));

    assertThat(failed.code()).isEqualTo("RKE_UP_TIMEOUT");
    assertThat(failed.retryable()).isTrue();
    assertThat(failed.getMessage()).contains("30m", "mesh.rke.timeout", "killed");
    assertThat(deployer.lastRun().killed).isTrue();
    assertThat(secrets.values).isEmpty();
  }

  @Test
  void waitsForRkeUpUnderItsOwnNameWithTheTimeLimitAsSafetyNet() {
    deployer.endAtOnce = false;
    EventEnvelope event = vmsReady(true);

    StepDriver.Result.StillWaiting stillWaiting =
        waiting(driver(event).run(steps().stepFor(event), 20));

    assertThat(stillWaiting.until().name()).isEqualTo("rke up");
    assertThat(stillWaiting.until().timeoutCode()).isEqualTo("RKE_UP_TIMEOUT");
    assertThat(stillWaiting.until().setting()).isEqualTo("mesh.rke.timeout");
    assertThat(stillWaiting.until().timeout()).isGreaterThan(RKE_TIMEOUT);
    assertThat(stillWaiting.status()).contains("fake rke up of east", "running since");
  }

  @Test
  void aStopLeavesRkeUpRunningAndAStepThatGivesUpKillsIt() {
    deployer.endAtOnce = false;
    EventEnvelope event = vmsReady(true);
    VmsReadyStep step = (VmsReadyStep) steps().stepFor(event);

    waiting(driver(event).run(step, 20));

    assertThat(deployer.lastRun().killed).as("a stop (STOPPED) is not a failure").isFalse();
    step.ended(StepEnd.FAILED);
    assertThat(deployer.lastRun().killed).isTrue();
  }

  @Test
  void replayAfterClusterUpAnswersTheSameWithoutSshOrASecondInstall() {
    EventEnvelope event = vmsReady(true);
    ClusterUp first = clusterUp(driver(event).run(steps().stepFor(event), 100));
    int commands = nodes.commands.size();
    int puts = secrets.puts.get();

    StepDriver again = driver(event);
    ClusterUp second = clusterUp(again.run(steps().stepFor(event), 100));

    assertThat(second).isEqualTo(first);
    assertThat(deployer.started).hasSize(1);
    assertThat(nodes.commands).hasSize(commands);
    assertThat(secrets.puts.get()).isEqualTo(puts);
    assertThat(again.progress())
        .containsExactly("cluster already deployed as planned; its kubeconfig is stored");
  }

  @Test
  void aDuplicateVmsReadyForTheSameServersDoesNotInstallTwice() {
    EventEnvelope event = vmsReady(true);
    clusterUp(driver(event).run(steps().stepFor(event), 100));
    EventEnvelope duplicate = vmsReady(true);

    ClusterUp up = clusterUp(driver(duplicate).run(steps().stepFor(duplicate), 100));

    assertThat(up.kubeconfigRef()).isEqualTo(KUBECONFIG_REF);
    assertThat(deployer.started).hasSize(1);
  }

  @Test
  void recreatedServersOrAChangedPlanAreDeployedAgain() {
    EventEnvelope event = vmsReady(true);
    clusterUp(driver(event).run(steps().stepFor(event), 100));
    EventEnvelope recreated = vmsReady(true, "server-new-0", "server-new-1");

    clusterUp(driver(recreated).run(steps().stepFor(recreated), 100));

    assertThat(deployer.started).hasSize(2);
  }

  @Test
  void aStepResumedWhileRkeUpRunsJoinsThatRunInsteadOfStartingASecondOne() {
    deployer.endAtOnce = false;
    EventEnvelope event = vmsReady(true);
    waiting(driver(event).run(steps().stepFor(event), 20));

    StepDriver resumed = driver(event).beforeRecheck(deployer::endRuns);
    ClusterUp up = clusterUp(resumed.run(steps().stepFor(event), 100));

    assertThat(up.kubeconfigRef()).isEqualTo(KUBECONFIG_REF);
    assertThat(deployer.started).hasSize(1);
    assertThat(resumed.progress())
        .anyMatch(m -> m.contains("started before the service restarted"));
    assertThat(secrets.text(KUBECONFIG_REF)).isEqualTo(Fakes.KUBECONFIG);
  }

  @Test
  void waitsForAnotherPlansRunOfTheClusterToEndBeforeDeployingItsOwn() {
    deployer.endAtOnce = false;
    EventEnvelope first = vmsReady(true);
    waiting(driver(first).run(steps().stepFor(first), 20));
    EventEnvelope changed = vmsReady(Samples.cluster("east", 1, 3), true);
    // the first run ends; the second plan's own run ends at once
    StepDriver driver =
        driver(changed)
            .beforeRecheck(
                () -> {
                  deployer.endAtOnce = true;
                  deployer.endRuns();
                });

    clusterUp(driver.run(steps().stepFor(changed), 100));

    assertThat(deployer.started)
        .extracting(ClusterPlan::clusterName)
        .containsExactly("east", "east");
    assertThat(driver.progress()).anyMatch(m -> m.contains("for another request to end"));
  }
}
