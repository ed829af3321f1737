package io.meshorch.rke.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RkeLogAndKubeconfigTest {

  @Test
  void summarisesOnlyTheLastErrorLinesOfRkeOutput() {
    List<String> log =
        List.of(
            "INFO[0000] Running RKE version: v1.8.0",
            "INFO[0001] [dialer] Setup tunnel for host [10.0.0.11]",
            "ERRO[0010] Failed to set up SSH tunneling for host [10.0.0.12]",
            "WARN[0011] something",
            "ERRO[0012] client-key-data: LS0tLS1CRUdJTi...",
            "FATA[0120] Failed to deploy addon execute job [rke-network-plugin]: Failed to get job"
                + " complete status");

    assertThat(RkeLog.failureSummary(log, 3))
        .isEqualTo(
            "ERRO[0010] Failed to set up SSH tunneling for host [10.0.0.12]\n"
                + "FATA[0120] Failed to deploy addon execute job [rke-network-plugin]: Failed to"
                + " get job complete status");
    assertThat(RkeLog.failureSummary(log, 1)).startsWith("FATA[0120]");
    assertThat(RkeLog.failureSummary(List.of("INFO[0000] ok"), 3)).isEmpty();
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "INFO[0000] Running RKE version: v1.8.0;INFO[0042] Finished building Kubernetes cluster"
            + " successfully|true",
        // the kubeconfig is written when the control plane is up, long before this line
        "INFO[0000] Running RKE version: v1.8.0;INFO[0030] [addons] Executing deploy job|false",
        "INFO[0042] Finished building Kubernetes cluster successfully;FATA[0050] Failed|false",
        "FATA[0003] Failed to set up SSH tunneling for host [10.0.0.11]|false",
        "|false"
      })
  void tellsARunThatFinishedFromOneThatStoppedHalfWay(String lines, boolean finished) {
    List<String> log = lines == null ? List.of() : List.of(lines.split(";"));

    assertThat(RkeLog.finishedSuccessfully(log)).isEqualTo(finished);
  }

  @Test
  void readsTheApiServerOfTheFirstClusterAndNeverPrintsTheContent() {
    Kubeconfig kubeconfig =
        new Kubeconfig(
            "apiVersion: v1\nclusters:\n- name: east\n  cluster:\n"
                + "    server: \"https://10.1.0.5:6443\"\n"
                + "- name: other\n  cluster:\n    server: https://10.9.9.9:6443\n"
                + "users:\n- name: admin\n  user:\n    token: s3cr3t\n");

    assertThat(kubeconfig.apiServerUrl()).isEqualTo("https://10.1.0.5:6443");
    assertThat(kubeconfig.toString()).doesNotContain("s3cr3t").contains("redacted");
  }

  @Test
  void refusesAKubeconfigWithoutServerWithoutQuotingIt() {
    assertThatThrownBy(() -> new Kubeconfig("users:\n- user:\n    token: s3cr3t\n").apiServerUrl())
        .isInstanceOf(InvalidPlanException.class)
        .hasMessageContaining("clusters[0].cluster.server")
        .hasMessageNotContaining("s3cr3t");
    assertThatThrownBy(() -> new Kubeconfig("token: [s3cr3t").apiServerUrl())
        .hasMessageNotContaining("s3cr3t");
  }
}
