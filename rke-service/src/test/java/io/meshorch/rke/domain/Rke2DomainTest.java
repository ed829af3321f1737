package io.meshorch.rke.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshorch.contracts.ClusterSpec;
import io.meshorch.contracts.KubernetesSpec;
import io.meshorch.contracts.NodeInfo;
import io.meshorch.testkit.Samples;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class Rke2DomainTest {
  private static final List<NodeInfo> NODES =
      List.of(
          new NodeInfo("n0", "s0", "p0", "10.0.0.11", List.of()),
          new NodeInfo("n1", "s1", "p1", "10.0.0.12", List.of()));

  private static ClusterSpec on(KubernetesSpec k) {
    ClusterSpec c = Samples.cluster("east", 1, 2);
    return new ClusterSpec(
        c.name(),
        c.id(),
        c.nodeCount(),
        c.podCidr(),
        c.serviceCidr(),
        c.lbAddressPool(),
        c.machine(),
        k);
  }

  private static ClusterPlan plan(KubernetesSpec k) {
    return ClusterPlan.of("m1", on(k), NODES, 22, "/k", "v1.28.15-rancher1-1", 120);
  }

  @Test
  void theClustersKubernetesPicksTheDistributionAndVersionElseRke1AtTheConfiguredVersion() {
    assertThat(plan(null).rke2()).isFalse();
    assertThat(plan(null).kubernetesVersion()).isEqualTo("v1.28.15-rancher1-1");
    assertThat(plan(new KubernetesSpec("rke2", null)).rke2()).isTrue();
    assertThat(plan(new KubernetesSpec("rke2", null)).kubernetesVersion())
        .as("the RKE2 deployer's default, not RKE1's version")
        .isNull();
    assertThat(plan(new KubernetesSpec("rke2", "v1.30.4+rke2r1")).kubernetesVersion())
        .isEqualTo("v1.30.4+rke2r1");
    assertThat(DeploymentStamp.of(plan(new KubernetesSpec("rke1", null)), List.of("s0", "s1")))
        .as("an RKE1 cluster keeps the stamp it had before the field existed")
        .isEqualTo(DeploymentStamp.of(plan(null), List.of("s0", "s1")));
    assertThat(DeploymentStamp.of(plan(new KubernetesSpec("rke2", null)), List.of("s0", "s1")))
        .isNotEqualTo(DeploymentStamp.of(plan(null), List.of("s0", "s1")));
  }

  @Test
  void serverConfigHasNoCniTheClustersRangesAndTheFirstNodeAsTlsSanAgentsJoinOn9345() {
    ClusterPlan plan = plan(new KubernetesSpec("rke2", null));

    String server = Rke2Config.render(plan, 0, "tok");
    String agent = Rke2Config.render(plan, 1, "tok");

    assertThat(server)
        .contains("cni: none", "cluster-cidr: " + plan.podCidr(), "cluster-dns: ")
        .contains("service-cidr: " + plan.serviceCidr(), "tls-san:\n- 10.0.0.11")
        .contains("node-name: n0", "token: tok")
        .doesNotContain("server:");
    assertThat(agent).contains("server: https://10.0.0.11:9345", "node-name: n1", "token: tok");
    assertThat(Rke2Config.render(plan, 0, "tok")).isEqualTo(server);
  }

  @Test
  void installCommandsPinTheVersionAndRefuseValuesThatCouldChangeTheCommand() {
    assertThat(
            Rke2Commands.install(
                "v1.30.4+rke2r1", "agent", "https://get.rke2.io", Optional.empty()))
        .isEqualTo(
            "curl -sfL https://get.rke2.io | sudo INSTALL_RKE2_VERSION=v1.30.4+rke2r1"
                + " INSTALL_RKE2_TYPE=agent sh -");
    assertThat(
            Rke2Commands.install(
                "v1.30.4+rke2r1", "server", "https://get.rke2.io", Optional.of("/opt/rke2")))
        .isEqualTo(
            "sudo INSTALL_RKE2_ARTIFACT_PATH=/opt/rke2 INSTALL_RKE2_VERSION=v1.30.4+rke2r1"
                + " INSTALL_RKE2_TYPE=server sh /opt/rke2/install.sh");
    assertThatThrownBy(
            () ->
                Rke2Commands.install("v1.30.4; rm -rf /", "server", "https://x", Optional.empty()))
        .isInstanceOf(InvalidPlanException.class);
    assertThatThrownBy(
            () ->
                Rke2Commands.install(
                    "v1.30.4+rke2r1", "server", "https://x", Optional.of("/opt/$(id)")))
        .hasMessageContaining("mesh.rke2.artifact-path");
  }

  @Test
  void theKubeconfigsLoopbackServerIsRewrittenToTheFirstNodeKeepingSchemeAndPort() {
    String rke2Yaml =
        "apiVersion: v1\nclusters:\n- cluster:\n    certificate-authority-data: Q0E=\n"
            + "    server: https://127.0.0.1:6443\n  name: default\nkind: Config\n";

    Kubeconfig pointed = Rke2Kubeconfig.pointedAt(rke2Yaml, "10.0.0.11");

    assertThat(pointed.apiServerUrl()).isEqualTo("https://10.0.0.11:6443");
    assertThat(pointed.yaml()).contains("certificate-authority-data: Q0E=");
    assertThatThrownBy(() -> Rke2Kubeconfig.pointedAt("kind: Config\n", "10.0.0.11"))
        .isInstanceOf(InvalidPlanException.class);
  }

  @Test
  void journalErrorsAreReadWithTheTokenBlanked() {
    CommandResult journal =
        new CommandResult(
            0,
            "time=\"t\" level=info msg=\"Starting rke2 agent\"\n"
                + "time=\"t\" level=error msg=\"failed to get CA certs: Get"
                + " \\\"https://127.0.0.1:6444/cacerts\\\": 401 Unauthorized sekret\"\n",
            "");

    List<String> errors = Rke2Commands.errors(journal, "sekret");

    assertThat(errors)
        .containsExactly(
            "failed to get CA certs: Get \"https://127.0.0.1:6444/cacerts\": 401 Unauthorized"
                + " <token>");
    assertThat(Rke2Commands.tokenRejected(errors.get(0))).isTrue();
  }
}
