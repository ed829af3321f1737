package io.meshorch.rke.adapter.rke;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshorch.contracts.ClusterSpec;
import io.meshorch.kit.failure.StepFailure;
import io.meshorch.kit.failure.TerminalFailure;
import io.meshorch.kit.failure.TransientFailure;
import io.meshorch.kit.retry.Backoff;
import io.meshorch.rke.domain.ClusterPlan;
import io.meshorch.rke.domain.Kubeconfig;
import io.meshorch.testkit.Samples;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs real executables (POSIX shell scripts) that behave like {@code rke up}. */
class RkeProcessDeployerTest {
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

  private Path script(String name, String body) throws Exception {
    Path s = dir.resolve(name);
    Files.writeString(s, "#!/bin/sh\n" + body);
    Files.setPosixFilePermissions(s, PosixFilePermissions.fromString("rwx------"));
    return s;
  }

  private RkeProcessDeployer deployer(Path rke, int attempts, Duration timeout) {
    return new RkeProcessDeployer(
        rke.toString(),
        dir.resolve("work"),
        timeout,
        new Backoff(attempts, Duration.ofMillis(10), Duration.ofMillis(50), 2.0),
        3);
  }

  private static ClusterPlan plan() {
    ClusterSpec spec = Samples.cluster("east", 1, 2);
    return ClusterPlan.of("demo", spec, Samples.nodes("demo", spec), 22, "/keys/id", null, 120);
  }

  private Path clusterDir() {
    return dir.resolve("work/demo/east");
  }

  private long runs() throws Exception {
    Path runs = clusterDir().resolve("runs");
    return Files.exists(runs) ? Files.readAllLines(runs).size() : 0;
  }

  @Test
  void writesClusterYmlRunsRkeUpAndTakesOverTheKubeconfig() throws Exception {
    Kubeconfig kubeconfig =
        deployer(script("rke", RKE_UP), 3, Duration.ofSeconds(30)).deploy(plan());

    assertThat(kubeconfig.apiServerUrl()).isEqualTo("https://10.0.0.1:6443");
    assertThat(kubeconfig.yaml()).contains("client-key-data: c2VjcmV0");
    assertThat(runs()).isEqualTo(1);
    assertThat(Files.readString(clusterDir().resolve("cluster.yml")))
        .contains("plugin: none", "cluster_name: east", "ssh_key_path: /keys/id");
    assertThat(clusterDir().resolve("kube_config_cluster.yml")).doesNotExist();
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
  void runsRkeUpAgainAfterAFailedRunAsRkeAdvises() throws Exception {
    Path rke =
        script(
            "rke",
            """
            dir="$(dirname "$3")"
            if [ ! -f "$dir/failed-once" ]; then
              touch "$dir/failed-once"
              echo "INFO[0000] Running RKE version: v1.8.0"
              echo "FATA[0000] Failed to get job complete status for job rke-network-plugin-deploy-job"
              exit 1
            fi
            """
                + RKE_UP);

    Kubeconfig kubeconfig = deployer(rke, 3, Duration.ofSeconds(30)).deploy(plan());

    assertThat(kubeconfig.apiServerUrl()).isEqualTo("https://10.0.0.1:6443");
    assertThat(clusterDir().resolve("failed-once")).exists();
    assertThat(runs()).isEqualTo(1);
  }

  @Test
  void givesUpAfterTheLastAttemptWithOnlyRkesErrorLines() throws Exception {
    Path rke =
        script(
            "rke",
            """
            echo run >> "$(dirname "$3")/runs"
            echo "INFO[0000] ssh_key_path: /keys/id user: ubuntu"
            echo "FATA[0003] Failed to set up SSH tunneling for host [10.0.0.11]: Can't retrieve Docker Info"
            exit 1
            """);

    assertThatThrownBy(() -> deployer(rke, 3, Duration.ofSeconds(30)).deploy(plan()))
        .isInstanceOf(TransientFailure.class)
        .satisfies(e -> assertThat(((StepFailure) e).code()).isEqualTo("RKE_UP_FAILED"))
        .hasMessageContaining("3 time(s)")
        .hasMessageContaining("exited with 1")
        .hasMessageContaining("FATA[0003] Failed to set up SSH tunneling for host [10.0.0.11]")
        .hasMessageNotContaining("INFO");
    assertThat(runs()).isEqualTo(3);
  }

  @Test
  void stopsARunThatTakesTooLong() throws Exception {
    Path rke = script("rke", "exec sleep 30\n");

    assertThatThrownBy(() -> deployer(rke, 1, Duration.ofMillis(300)).deploy(plan()))
        .isInstanceOf(TransientFailure.class)
        .hasMessageContaining("did not finish within")
        .hasMessageContaining("mesh.rke.timeout");
  }

  @Test
  void refusesAnExecutableThatCannotRunWithoutRetrying() {
    assertThatThrownBy(
            () -> deployer(dir.resolve("no-such-rke"), 3, Duration.ofSeconds(5)).deploy(plan()))
        .isInstanceOf(TerminalFailure.class)
        .satisfies(e -> assertThat(((StepFailure) e).code()).isEqualTo("RKE_NOT_FOUND"))
        .hasMessageContaining("mesh.rke.executable");
  }

  @Test
  void convergesWhenDeployedAgain() throws Exception {
    RkeProcessDeployer deployer = deployer(script("rke", RKE_UP), 3, Duration.ofSeconds(30));

    String first = deployer.deploy(plan()).yaml();
    String second = deployer.deploy(plan()).yaml();

    assertThat(second).isEqualTo(first);
    assertThat(runs()).isEqualTo(2);
    assertThat(clusterDir().resolve("kube_config_cluster.yml")).doesNotExist();
  }
}
