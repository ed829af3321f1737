package io.meshorch.rke.adapter.rke;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.meshorch.contracts.ClusterSpec;
import io.meshorch.kit.failure.StepFailure;
import io.meshorch.kit.failure.TerminalFailure;
import io.meshorch.kit.failure.TransientFailure;
import io.meshorch.rke.domain.ClusterPlan;
import io.meshorch.rke.domain.Kubeconfig;
import io.meshorch.rke.port.DeployRun;
import io.meshorch.testkit.Samples;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs real executables (POSIX shell scripts) that behave like {@code rke up}, and restarts the
 * deployer (a new instance on the same work dir) while they run.
 */
class RkeProcessDeployerTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  /** Checks the arguments like rke, counts its runs, writes what rke writes next to the file. */
  private static final String RKE_UP =
      """
      [ "$1" = up ] && [ "$2" = --config ] && [ -f "$3" ] || { echo "FATA[0000] bad args: $*"; exit 3; }
      dir="$(dirname "$3")"
      echo run >> "$dir/runs"
      echo "INFO[0000] Running RKE version: v1.8.0"
      echo "INFO[0000] Initiating Kubernetes cluster"
      printf 'apiVersion: v1\\nclusters:\\n- cluster:\\n    server: "https://10.0.0.1:6443"\\nusers:\\n- user:\\n    client-key-data: c2VjcmV0\\n' > "$dir/kube_config_cluster.yml"
      echo '{"desiredState":{}}' > "$dir/cluster.rkestate"
      echo "INFO[0042] Finished building Kubernetes cluster successfully"
      """;

  @TempDir Path dir;
  private Process unrelated;

  @AfterEach
  void openGateAndStopStrays() throws Exception {
    // a gated script still waiting ends now instead of at its own bound
    Files.writeString(dir.resolve("gate"), "open");
    if (unrelated != null) {
      unrelated.destroyForcibly();
    }
  }

  private Path script(String name, String body) throws Exception {
    Path s = dir.resolve(name);
    Files.writeString(s, "#!/bin/sh\n" + body);
    Files.setPosixFilePermissions(s, PosixFilePermissions.fromString("rwx------"));
    return s;
  }

  /** An rke that waits (at most 30 s) until the test opens the gate, then does its work. */
  private Path gatedRke() throws Exception {
    Path gate = dir.resolve("gate");
    return script(
        "rke",
        "i=0\n"
            + "while [ ! -f '"
            + gate
            + "' ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i+1)); done\n"
            + "[ -f '"
            + gate
            + "' ] || { echo 'FATA[0030] the gate never opened'; exit 1; }\n"
            + RKE_UP);
  }

  private void openGate() throws Exception {
    Files.writeString(dir.resolve("gate"), "open");
  }

  private RkeProcessDeployer deployer(Path rke) {
    return new RkeProcessDeployer(rke.toString(), dir.resolve("work"), 3);
  }

  private static ClusterPlan plan(int nodes) {
    ClusterSpec spec = Samples.cluster("east", 1, nodes);
    return ClusterPlan.of("demo", spec, Samples.nodes("demo", spec), 22, "/keys/id", null, 120);
  }

  private static ClusterPlan plan() {
    return plan(2);
  }

  private Path clusterDir() {
    return dir.resolve("work/demo/east");
  }

  private long runs() throws Exception {
    Path runs = clusterDir().resolve("runs");
    return Files.exists(runs) ? Files.readAllLines(runs).size() : 0;
  }

  private long pid() throws Exception {
    return Long.parseLong(Files.readString(clusterDir().resolve("rke-up.pid")).strip());
  }

  private static DeployRun awaitEnd(DeployRun run) {
    await().atMost(WAIT).until(run::finished);
    return run;
  }

  @Test
  void aClusterBeingStartedHoldsBackOnlyItselfNotTheOtherClusters() throws Exception {
    RkeProcessDeployer deployer = deployer(script("rke", RKE_UP));
    Path east = dir.resolve("work").toAbsolutePath().normalize().resolve("demo").resolve("east");
    // a cluster whose lock is not east's (the locks are striped)
    String other = null;
    for (int i = 0; other == null && i < 1000; i++) {
      Path candidate = east.resolveSibling("west-" + i);
      if (deployer.lockOf(candidate) != deployer.lockOf(east)) {
        other = candidate.getFileName().toString();
      }
    }
    assertThat(other).as("a cluster that does not share east's lock").isNotNull();
    ClusterSpec westSpec = Samples.cluster(other, 2, 2);
    ClusterPlan west =
        ClusterPlan.of(
            "demo", westSpec, Samples.nodes("demo", westSpec), 22, "/keys/id", null, 120);
    ExecutorService callers = Executors.newFixedThreadPool(2);
    try {
      Future<DeployRun> eastStart;
      synchronized (deployer.lockOf(east)) {
        // east is being started (or removed) by another step meanwhile
        eastStart = callers.submit(() -> deployer.start(plan()));
        DeployRun westRun = callers.submit(() -> deployer.start(west)).get(20, TimeUnit.SECONDS);
        assertThat(westRun.deploysPlan()).isTrue();
        assertThat(eastStart).isNotDone();
      }
      DeployRun eastRun = eastStart.get(20, TimeUnit.SECONDS);
      assertThat(awaitEnd(eastRun).result().apiServerUrl()).isEqualTo("https://10.0.0.1:6443");
    } finally {
      callers.shutdownNow();
    }
  }

  @Test
  void startsRkeUpWithoutWaitingAndTakesOverTheKubeconfigWhenItExits() throws Exception {
    AtomicInteger exits = new AtomicInteger();

    DeployRun run = deployer(script("rke", RKE_UP)).start(plan());
    run.onExit(exits::incrementAndGet);
    awaitEnd(run);
    Kubeconfig kubeconfig = run.result();

    await().atMost(WAIT).until(() -> exits.get() == 1);
    assertThat(run.resumed()).isFalse();
    assertThat(run.deploysPlan()).isTrue();
    assertThat(kubeconfig.apiServerUrl()).isEqualTo("https://10.0.0.1:6443");
    assertThat(kubeconfig.yaml()).contains("client-key-data: c2VjcmV0");
    assertThat(run.result()).as("judged once, same answer").isEqualTo(kubeconfig);
    assertThat(runs()).isEqualTo(1);
    assertThat(Files.readString(clusterDir().resolve("cluster.yml")))
        .contains("plugin: none", "cluster_name: east", "ssh_key_path: /keys/id");
    assertThat(clusterDir().resolve("kube_config_cluster.yml")).doesNotExist();
    assertThat(clusterDir().resolve("rke-up.pid")).doesNotExist();
    assertThat(Files.getPosixFilePermissions(clusterDir()))
        .isEqualTo(PosixFilePermissions.fromString("rwx------"));
    assertThat(Files.getPosixFilePermissions(clusterDir().resolve("cluster.rkestate")))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(Files.getPosixFilePermissions(clusterDir().resolve("cluster.yml")))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(Files.readString(clusterDir().resolve("rke-up.log")))
        .contains("Finished building Kubernetes cluster successfully");
  }

  @Test
  void theDeployedVersionIsTheOneRkeRecordsInItsStateEvenWhenTheFileLeftItToRke() throws Exception {
    RkeProcessDeployer deployer =
        deployer(
            script(
                "rke",
                RKE_UP.replace(
                    "echo '{\"desiredState\":{}}'",
                    "echo '{\"desiredState\":{\"rkeConfig\":{}},\"currentState\":"
                        + "{\"rkeConfig\":{\"kubernetesVersion\":\"v1.32.5-rancher1-1\"},"
                        + "\"certificatesBundle\":{\"kube-ca\":{\"keyPEM\":\"c2VjcmV0\"}}}}'")));
    assertThat(deployer.deployedVersion(plan())).as("nothing deployed yet").isEmpty();

    awaitEnd(deployer.start(plan())).result();

    assertThat(Files.readString(clusterDir().resolve("cluster.yml")))
        .doesNotContain("kubernetes_version");
    assertThat(deployer.deployedVersion(plan())).hasValue("v1.32.5-rancher1-1");
  }

  @Test
  void aStateWithoutACurrentStateNamesNoVersion() throws Exception {
    RkeProcessDeployer deployer = deployer(script("rke", RKE_UP));

    awaitEnd(deployer.start(plan())).result();

    assertThat(deployer.deployedVersion(plan())).isEmpty();
  }

  @Test
  void returnsWhileRkeUpRunsWithAPidFileNamingIt() throws Exception {
    DeployRun run = deployer(gatedRke()).start(plan());

    assertThat(run.finished()).isFalse();
    assertThatThrownBy(run::result).isInstanceOf(IllegalStateException.class);
    assertThat(run.describe()).isEqualTo("rke up pid " + pid());
    assertThat(ProcessHandle.of(pid()).flatMap(p -> p.info().commandLine()).orElseThrow())
        .contains(clusterDir().resolve("cluster.yml").toString());
    assertThat(Files.getPosixFilePermissions(clusterDir().resolve("rke-up.pid")))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));

    openGate();
    assertThat(awaitEnd(run).result().apiServerUrl()).isEqualTo("https://10.0.0.1:6443");
  }

  @Test
  void tellsARunThatFailedOnTheDockerSocketByRkesWords() throws Exception {
    Path rke =
        script(
            "rke",
            """
            echo "WARN[0000] Failed to set up SSH tunneling for host [10.0.0.11]: Can't retrieve \
            Docker Info: error during connect: Get \\"http://%2Fvar%2Frun%2Fdocker.sock/v1.24/info\\": \
            Unable to access the Docker socket (/var/run/docker.sock). Please check if the \
            configured user can execute `docker ps` on the node, and if the SSH server version \
            is at least version 6.7 or higher. If you are using RedHat/CentOS, you can't use the \
            user `root`. Please refer to the documentation for more instructions. Error: ssh: \
            rejected: administratively prohibited (open failed)"
            echo "WARN[0000] Removing host [10.0.0.11] from node lists"
            echo "FATA[0000] Cluster must have at least one etcd plane host: failed to connect to \
            the following etcd host(s) [10.0.0.11]"
            exit 1
            """);

    DeployRun run = awaitEnd(deployer(rke).start(plan()));

    assertThatThrownBy(run::result)
        .isInstanceOf(TransientFailure.class)
        .satisfies(e -> assertThat(((StepFailure) e).code()).isEqualTo("DOCKER_ACCESS_DENIED"))
        .hasMessageContaining("host(s) [10.0.0.11]")
        .hasMessageContaining("Cluster must have at least one etcd plane host");
  }

  @Test
  void reportsAFailedRunWithOnlyRkesErrorLines() throws Exception {
    Path rke =
        script(
            "rke",
            """
            echo run >> "$(dirname "$3")/runs"
            echo "INFO[0000] ssh_key_path: /keys/id user: ubuntu"
            echo "FATA[0003] Failed to set up SSH tunneling for host [10.0.0.11]: Can't retrieve Docker Info"
            exit 1
            """);

    DeployRun run = awaitEnd(deployer(rke).start(plan()));

    assertThatThrownBy(run::result)
        .isInstanceOf(TransientFailure.class)
        .satisfies(e -> assertThat(((StepFailure) e).code()).isEqualTo("RKE_UP_FAILED"))
        .hasMessageContaining("exited with 1")
        .hasMessageContaining("FATA[0003] Failed to set up SSH tunneling for host [10.0.0.11]")
        .hasMessageNotContaining("INFO");
    assertThat(runs()).isEqualTo(1);
  }

  @Test
  void aRunThatExitsWithZeroWithoutAKubeconfigFailed() throws Exception {
    DeployRun run = awaitEnd(deployer(script("rke", "exit 0\n")).start(plan()));

    assertThatThrownBy(run::result)
        .isInstanceOf(TransientFailure.class)
        .hasMessageContaining("wrote no kube_config_cluster.yml");
  }

  @Test
  void refusesAnExecutableThatCannotRun() {
    assertThatThrownBy(() -> deployer(dir.resolve("no-such-rke")).start(plan()))
        .isInstanceOf(TerminalFailure.class)
        .satisfies(e -> assertThat(((StepFailure) e).code()).isEqualTo("RKE_NOT_FOUND"))
        .hasMessageContaining("mesh.rke.executable");
  }

  @Test
  void killsTheWholeProcessTree() throws Exception {
    Path rke =
        script(
            "rke",
            """
            sleep 30 &
            echo $! > "$(dirname "$3")/child"
            wait
            """);
    DeployRun run = deployer(rke).start(plan());
    await().atMost(WAIT).until(() -> Files.exists(clusterDir().resolve("child")));
    long child = Long.parseLong(Files.readString(clusterDir().resolve("child")).strip());
    long parent = pid();

    run.kill();

    awaitEnd(run);
    await()
        .atMost(WAIT)
        .until(
            () ->
                ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false) == false
                    && ProcessHandle.of(parent).map(ProcessHandle::isAlive).orElse(false) == false);
    assertThatThrownBy(run::result).isInstanceOf(TransientFailure.class);
  }

  @Test
  void removingAClusterKillsItsRunningRkeUpAndDeletesItsStateAndAgainFindsNothing()
      throws Exception {
    RkeProcessDeployer deployer = deployer(gatedRke());
    DeployRun run = deployer.start(plan());
    long pid = pid();

    List<String> removed = deployer.remove("demo", "east");
    List<String> again = deployer(gatedRke()).remove("demo", "east");

    assertThat(removed).containsExactly(clusterDir().toString());
    assertThat(clusterDir()).doesNotExist();
    await().atMost(WAIT).until(run::finished);
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    assertThat(again).isEmpty();
  }

  @Test
  void aSecondStartWhileRkeUpRunsJoinsItInsteadOfStartingAnother() throws Exception {
    RkeProcessDeployer deployer = deployer(gatedRke());
    DeployRun first = deployer.start(plan());

    DeployRun second = deployer.start(plan());
    DeployRun otherPlan = deployer.start(plan(3));

    assertThat(second.describe()).isEqualTo(first.describe());
    assertThat(second.deploysPlan()).isTrue();
    assertThat(otherPlan.describe()).isEqualTo(first.describe());
    assertThat(otherPlan.deploysPlan()).as("must wait, then run its own plan").isFalse();
    openGate();
    awaitEnd(first);
    assertThat(second.result()).isEqualTo(first.result());
    assertThat(runs()).isEqualTo(1);
  }

  @Test
  void aRestartedServiceWaitsForTheRkeUpItLeftRunningInsteadOfStartingASecond() throws Exception {
    Path rke = gatedRke();
    DeployRun before = deployer(rke).start(plan());
    long pid = pid();
    AtomicInteger exits = new AtomicInteger();

    // a new deployer on the same work dir: the service after a restart
    DeployRun after = deployer(rke).start(plan());
    after.onExit(exits::incrementAndGet);

    assertThat(after.resumed()).isTrue();
    assertThat(after.finished()).isFalse();
    assertThat(after.deploysPlan()).isTrue();
    assertThat(after.describe()).isEqualTo("rke up pid " + pid);
    assertThat(after.startedAt()).isBeforeOrEqualTo(java.time.Instant.now());
    assertThat(exits).hasValue(0);
    openGate();
    await().atMost(WAIT).until(() -> exits.get() == 1);
    assertThat(after.finished()).isTrue();
    assertThat(after.result().apiServerUrl()).isEqualTo("https://10.0.0.1:6443");
    assertThat(runs()).isEqualTo(1);
    assertThat(clusterDir().resolve("kube_config_cluster.yml")).doesNotExist();
    assertThat(before.finished()).isTrue();
  }

  @Test
  void aRunThatSucceededWhileTheServiceWasDownIsTakenNotRepeated() throws Exception {
    Path rke = script("rke", RKE_UP);
    awaitEnd(deployer(rke).start(plan()));

    DeployRun after = deployer(rke).start(plan());

    assertThat(after.finished()).isTrue();
    assertThat(after.resumed()).isTrue();
    assertThat(after.result().apiServerUrl()).isEqualTo("https://10.0.0.1:6443");
    assertThat(runs()).isEqualTo(1);
  }

  @Test
  void aRunThatStoppedHalfWayWhileTheServiceWasDownIsRunAgain() throws Exception {
    // The first run writes the kubeconfig (as RKE does once the control plane is up) and dies
    // before the add-ons; the kubeconfig alone must not pass for a finished deployment.
    Path rke =
        script(
            "rke",
            """
            dir="$(dirname "$3")"
            if [ ! -f "$dir/died-once" ]; then
              touch "$dir/died-once"
              echo "INFO[0000] Running RKE version: v1.8.0"
              printf 'clusters:\\n- cluster:\\n    server: "https://10.0.0.1:6443"\\n' > "$dir/kube_config_cluster.yml"
              kill -9 $$
            fi
            """
                + RKE_UP);
    awaitEnd(deployer(rke).start(plan()));

    DeployRun after = deployer(rke).start(plan());

    assertThat(after.resumed()).isFalse();
    assertThat(awaitEnd(after).result().apiServerUrl()).isEqualTo("https://10.0.0.1:6443");
    assertThat(runs()).isEqualTo(1);
    assertThat(clusterDir().resolve("died-once")).exists();
  }

  @Test
  void aPidFileNamingAnotherProgramDoesNotStopANewRun() throws Exception {
    unrelated = new ProcessBuilder("sleep", "30").start();
    Files.createDirectories(clusterDir());
    Files.writeString(clusterDir().resolve("rke-up.pid"), unrelated.pid() + "\n");

    DeployRun run = deployer(script("rke", RKE_UP)).start(plan());

    assertThat(run.resumed()).isFalse();
    assertThat(awaitEnd(run).result().apiServerUrl()).isEqualTo("https://10.0.0.1:6443");
    assertThat(runs()).isEqualTo(1);
    assertThat(unrelated.isAlive()).as("never killed, never waited for").isTrue();
  }

  @Test
  void convergesWhenDeployedAgain() throws Exception {
    RkeProcessDeployer deployer = deployer(script("rke", RKE_UP));

    String first = awaitEnd(deployer.start(plan())).result().yaml();
    String second = awaitEnd(deployer.start(plan())).result().yaml();

    assertThat(second).isEqualTo(first);
    assertThat(runs()).isEqualTo(2);
    assertThat(clusterDir().resolve("kube_config_cluster.yml")).doesNotExist();
  }
}
