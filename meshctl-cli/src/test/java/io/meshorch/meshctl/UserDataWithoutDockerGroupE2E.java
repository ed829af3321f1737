package io.meshorch.meshctl;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.MeshFailed;
import io.meshorch.contracts.Topics;
import io.meshorch.meshctl.local.LocalStack;
import io.meshorch.sandbox.core.SideEffect;
import io.meshorch.testkit.EventProbe;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 6's defect, end to end: the operator's own user data ({@code mesh.vms.user-data-file})
 * installs Docker but leaves the SSH user out of the {@code docker} group, as the product's did
 * before. The sandbox VM applies it, {@code docker version} as {@code ubuntu} answers permission
 * denied, and the run stops at stage {@code kubernetes} with a cause naming node, user and fix,
 * without any {@code rke up}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UserDataWithoutDockerGroupE2E {
  @TempDir static Path data;
  private LocalStack stack;
  private EventProbe probe;

  @BeforeAll
  void start() throws Exception {
    Path userData = data.resolve("user-data.yaml");
    Files.writeString(
        userData,
        """
        #cloud-config
        package_update: true
        packages: [docker.io]
        runcmd:
        - [systemctl, enable, --now, docker]
        """,
        StandardCharsets.UTF_8);
    stack =
        LocalStack.start(
            data.resolve("local"),
            true,
            LocalStack.DEFAULT_LATENCIES,
            Map.of("mesh.vms.user-data-file", userData.toString()));
    probe = new EventProbe(stack.bootstrapServers(), List.copyOf(Topics.ALL));
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

  @Test
  void stopsAtStageKubernetesNamingTheNodeTheUserAndTheFix() throws Exception {
    Path file = data.resolve("mesh.yaml");
    Files.writeString(
        file,
        """
        mesh: nogroup
        defaults:
          machine: {image: ubuntu-22.04, flavor: m1.large, network: mesh-net, keyName: mesh, sshUser: ubuntu}
        clusters:
          - {name: east, id: 1, nodeCount: 1, podCidr: 10.101.0.0/16, serviceCidr: 10.201.0.0/16, lbAddressPool: 192.168.50.10-192.168.50.19}
        """,
        StandardCharsets.UTF_8);

    int exit =
        MeshCtl.run(
            "up",
            "-f",
            file.toString(),
            "--bootstrap-server",
            stack.bootstrapServers(),
            "--output",
            "json");

    assertThat(exit).as("meshctl up exit code").isEqualTo(1);
    List<EventEnvelope> failures =
        probe.events().stream()
            .filter(e -> "nogroup".equals(e.meshId()) && e.payload() instanceof MeshFailed)
            .toList();
    assertThat(failures).hasSize(1);
    MeshFailed failed = (MeshFailed) failures.get(0).payload();
    assertThat(failed.stage()).isEqualTo("kubernetes");
    assertThat(failed.cluster()).isEqualTo("east");
    assertThat(failed.code()).isEqualTo("DOCKER_ACCESS_DENIED");
    assertThat(failed.reason())
        .contains(
            "mesh-nogroup-east-node-0",
            "user ubuntu",
            "permission denied while trying to connect to the Docker daemon socket",
            "usermod -aG docker ubuntu");
    assertThat(failed.retryable()).as("a fix is needed, not another run").isFalse();
    assertThat(probe.events())
        .filteredOn(e -> "nogroup".equals(e.meshId()))
        .extracting(e -> e.payload().getClass().getSimpleName())
        .contains("VmsReady")
        .doesNotContain("ClusterUp");
    assertThat(stack.recorder().counters().total(SideEffect.RKE_UP_INVOKED))
        .as("rke up never ran")
        .isZero();
  }
}
