package io.meshorch.rke.adapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshorch.kit.failure.TransientFailure;
import io.meshorch.rke.adapter.rke.RkeProcessDeployer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs real executables that behave like rke, succeeding and failing. */
class RkeProcessDeployerTest {
  @TempDir Path dir;

  private Path script(String body) throws Exception {
    Path s = dir.resolve("rke");
    Files.writeString(s, "#!/bin/sh\n" + body);
    Files.setPosixFilePermissions(s, PosixFilePermissions.fromString("rwx------"));
    return s;
  }

  @Test
  void runsRkeUpWithTheClusterFileAndReturnsTheKubeconfigItWrote() throws Exception {
    Path rke =
        script(
            """
            [ "$1" = up ] && [ "$2" = --config ] || exit 3
            echo "INFO[0000] Building Kubernetes cluster"
            printf 'clusters:\\n- cluster:\\n    server: https://10.0.0.1:6443\\n' > "$(dirname "$3")/kube_config_cluster.yml"
            """);
    Path clusterFile =
        Files.writeString(
            Files.createDirectories(dir.resolve("east")).resolve("cluster.yml"), "nodes: []\n");

    Path kubeconfig =
        new RkeProcessDeployer(rke.toString(), Duration.ofSeconds(30)).deploy(clusterFile);

    assertThat(kubeconfig).isEqualTo(clusterFile.resolveSibling("kube_config_cluster.yml"));
    assertThat(Files.readString(kubeconfig)).contains("https://10.0.0.1:6443");
    assertThat(Files.readString(clusterFile.resolveSibling("rke-up.log")))
        .contains("Building Kubernetes cluster");
  }

  @Test
  void reportsTheFatalLineOfAFailedRunAsRetryable() throws Exception {
    Path rke =
        script(
            "echo 'INFO[0000] Running RKE'\necho 'FATA[0003] Failed to set up SSH tunneling for host [10.0.0.11]'\nexit 1\n");
    Path clusterFile = Files.writeString(dir.resolve("cluster.yml"), "nodes: []\n");

    assertThatThrownBy(
            () ->
                new RkeProcessDeployer(rke.toString(), Duration.ofSeconds(30)).deploy(clusterFile))
        .isInstanceOf(TransientFailure.class)
        .hasMessageContaining("exited with 1")
        .hasMessageContaining("FATA[0003] Failed to set up SSH tunneling");
  }

  @Test
  void stopsARunThatTakesTooLong() throws Exception {
    Path rke = script("exec sleep 30\n");
    Path clusterFile = Files.writeString(dir.resolve("cluster.yml"), "nodes: []\n");

    assertThatThrownBy(
            () ->
                new RkeProcessDeployer(rke.toString(), Duration.ofMillis(300)).deploy(clusterFile))
        .isInstanceOf(TransientFailure.class)
        .hasMessageContaining("did not finish");
  }
}
