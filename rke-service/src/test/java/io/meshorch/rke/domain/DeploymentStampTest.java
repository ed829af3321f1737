package io.meshorch.rke.domain;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshorch.contracts.ClusterSpec;
import io.meshorch.testkit.Samples;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeploymentStampTest {
  private static final ClusterSpec EAST = Samples.cluster("east", 1, 2);
  private static final List<String> SERVERS = List.of("server-east-0", "server-east-1");

  private static ClusterPlan plan(String version) {
    return ClusterPlan.of("demo", EAST, Samples.nodes("demo", EAST), 22, "/keys/id", version, 120);
  }

  @Test
  void namesTheSameDeploymentAlikeEveryTime() {
    String stamp = DeploymentStamp.of(plan(null), SERVERS);

    assertThat(stamp).matches("sha256:[0-9a-f]{64}");
    assertThat(DeploymentStamp.of(plan(null), List.copyOf(SERVERS))).isEqualTo(stamp);
  }

  @Test
  void tellsRecreatedServersAndChangedPlansApart() {
    String stamp = DeploymentStamp.of(plan(null), SERVERS);

    // VMs recreated with the same names and addresses are other servers
    assertThat(DeploymentStamp.of(plan(null), List.of("server-east-0", "server-east-9")))
        .isNotEqualTo(stamp);
    assertThat(DeploymentStamp.of(plan("v1.28.15-rancher1-1"), SERVERS)).isNotEqualTo(stamp);
    ClusterSpec bigger = Samples.cluster("east", 1, 3);
    assertThat(
            DeploymentStamp.of(
                ClusterPlan.of(
                    "demo", bigger, Samples.nodes("demo", bigger), 22, "/keys/id", null, 120),
                List.of("server-east-0", "server-east-1", "server-east-2")))
        .isNotEqualTo(stamp);
    assertThat(
            DeploymentStamp.of(
                ClusterPlan.of(
                    "demo", EAST, Samples.nodes("demo", EAST), 2222, "/keys/id", null, 120),
                SERVERS))
        .isNotEqualTo(stamp);
  }
}
