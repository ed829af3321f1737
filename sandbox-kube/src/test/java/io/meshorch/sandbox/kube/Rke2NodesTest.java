package io.meshorch.sandbox.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshorch.sandbox.core.ClusterRef;
import io.meshorch.sandbox.core.SideEffect;
import io.meshorch.sandbox.core.VmCommands;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** RKE2 as the sandbox's VMs answer it, command by command, as a node's shell would. */
@Timeout(30)
class Rke2NodesTest {
  private static SandboxKube kube;

  @BeforeAll
  static void start() {
    kube = SandboxKube.builder().controllerInterval(Duration.ofSeconds(1)).build().start();
  }

  @AfterAll
  static void stop() {
    kube.close();
  }

  private static VmCommands.Answer on(String address, String command) {
    return kube.rke2()
        .answer(new VmCommands.Login("vm-" + address, address, "ubuntu", true), command)
        .orElseThrow();
  }

  private static String config(String yaml) {
    String b64 = Base64.getEncoder().encodeToString(yaml.getBytes(StandardCharsets.UTF_8));
    String f = "/etc/rancher/rke2/config.yaml";
    return "sudo sh -c 'umask 077 && mkdir -p /etc/rancher/rke2 && echo "
        + b64
        + " | base64 -d > "
        + f
        + ".new && if cmp -s "
        + f
        + ".new "
        + f
        + "; then rm "
        + f
        + ".new && echo unchanged; else mv "
        + f
        + ".new "
        + f
        + " && echo changed; fi'";
  }

  private static void install(String address, String type, String token, String server) {
    on(
        address,
        config(
            (server == null ? "" : "server: https://" + server + ":9345\n")
                + "token: "
                + token
                + "\nnode-name: n-"
                + address
                + "\n"));
    on(
        address,
        "curl -sfL https://get.rke2.io | sudo INSTALL_RKE2_VERSION=v1.30.4+rke2r1"
            + " INSTALL_RKE2_TYPE="
            + type
            + " sh -");
    String unit = "rke2-" + type;
    on(address, "sudo systemctl enable " + unit + " && sudo systemctl --no-block restart " + unit);
  }

  @Test
  void anAgentWithAnotherTokenNeverRegistersAndItsJournalSaysUnauthorized() {
    kube.recorder().registerNode("127.10.91.1", new ClusterRef("m9", "c9"));
    install("127.10.91.1", "server", "right", null);
    install("127.10.91.2", "agent", "wrong", "127.10.91.1");

    assertThat(on("127.10.91.1", "systemctl is-active rke2-server").stdout()).isEqualTo("active\n");
    assertThat(on("127.10.91.2", "systemctl is-active rke2-agent").stdout())
        .isEqualTo("activating\n");
    assertThat(on("127.10.91.2", "sudo journalctl -u rke2-agent -n 20 --no-pager -o cat").stdout())
        .contains("level=error", "401 Unauthorized");
    assertThat(
            on(
                    "127.10.91.1",
                    "sudo /var/lib/rancher/rke2/bin/kubectl --kubeconfig"
                        + " /etc/rancher/rke2/rke2.yaml get nodes -o name")
                .stdout())
        .isEqualTo("node/n-127.10.91.1\n");
    assertThat(on("127.10.91.2", "rke2 --version").stdout())
        .startsWith("rke2 version v1.30.4+rke2r1");
    assertThat(kube.counters().count(SideEffect.RKE2_INSTALLED, "c9")).isEqualTo(1);
  }

  @Test
  void anAgentJoinsOnlyWhileTheServersSupervisorPortAnswers() {
    kube.rke2().supervisorReachable("127.10.92.1", false);
    install("127.10.92.1", "server", "t", null);
    install("127.10.92.2", "agent", "t", "127.10.92.1");

    assertThat(on("127.10.92.2", "systemctl is-active rke2-agent").exitStatus()).isEqualTo(3);
    assertThat(on("127.10.92.2", "sudo journalctl -u rke2-agent -n 20 --no-pager -o cat").stdout())
        .contains("rke2-agent-load-balancer 127.0.0.1:6444 -> [127.10.92.1:9345]")
        .contains("connection reset by peer");

    kube.rke2().supervisorReachable("127.10.92.1", true);

    assertThat(on("127.10.92.2", "systemctl is-active rke2-agent").stdout()).isEqualTo("active\n");
    String kubeconfig = on("127.10.92.1", "sudo cat /etc/rancher/rke2/rke2.yaml").stdout();
    assertThat(kubeconfig).contains("server: \"http://127.0.0.1:");
    assertThat(kube.clusters())
        .filteredOn(c -> c.identity().equals("127.10.92.1"))
        .singleElement()
        .satisfies(c -> assertThat(c.nodeNames()).hasSize(2))
        .satisfies(c -> assertThat(c.apiServerUrl()).startsWith("http://127.10.92.1:"));
  }

  @Test
  void nothingAnswersBeforeTheInstallAndOtherCommandsAreNotRke2s() {
    assertThat(on("127.10.93.1", "rke2 --version").exitStatus()).isEqualTo(127);
    assertThat(
            on(
                    "127.10.93.1",
                    "sudo systemctl enable rke2-server && sudo systemctl --no-block restart"
                        + " rke2-server")
                .stderr())
        .contains("Unit file rke2-server.service does not exist");
    assertThat(
            kube.rke2().answer(new VmCommands.Login("h", "127.10.93.1", "ubuntu", true), "uptime"))
        .isEmpty();
  }
}
