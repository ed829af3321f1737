package io.meshorch.rke.adapter.rke2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshorch.kit.failure.TransientFailure;
import io.meshorch.rke.domain.ClusterPlan;
import io.meshorch.rke.domain.CommandResult;
import io.meshorch.rke.domain.HostKeyTrust;
import io.meshorch.rke.domain.PlannedNode;
import io.meshorch.rke.domain.SshTarget;
import io.meshorch.rke.port.RemoteShellPort;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The RKE2 run's decisions on scripted node answers (no SSH): what it sends, when it ends. */
class Rke2RunTest {
  private static final ClusterPlan PLAN =
      new ClusterPlan(
          "m1",
          "west",
          List.of(
              new PlannedNode("n0", "10.0.0.1", PlannedNode.rolesFor(0)),
              new PlannedNode("n1", "10.0.0.2", PlannedNode.rolesFor(1))),
          "ubuntu",
          22,
          "/k",
          "10.102.0.0/16",
          "10.202.0.0/16",
          "v1.30.4+rke2r1",
          120,
          "rke2");
  private static final List<SshTarget> TARGETS =
      List.of(target("n0", "10.0.0.1"), target("n1", "10.0.0.2"));

  private static SshTarget target(String name, String host) {
    return new SshTarget(
        name, host, 22, "ubuntu", new HostKeyTrust.Pinned(List.of("SHA256:" + "A".repeat(43))));
  }

  /** Nodes with RKE2 installed, configured and running; the agent's token is refused. */
  private static final class Installed implements RemoteShellPort {
    final List<String> sent = new CopyOnWriteArrayList<>();
    volatile int agentUnreachable;

    @Override
    public CommandResult run(SshTarget target, String command, Duration timeout) {
      sent.add(target.node() + ": " + command);
      if (target.node().equals("n1") && agentUnreachable > 0) {
        agentUnreachable--;
        throw new TransientFailure("SSH_UNREACHABLE", "node n1: refused");
      }
      if (command.equals("rke2 --version")) {
        return new CommandResult(0, "rke2 version v1.30.4+rke2r1 (x)\n", "");
      }
      if (command.startsWith("systemctl is-active")) {
        return new CommandResult(0, "active\n", "");
      }
      if (command.contains("config.yaml.new")) {
        return new CommandResult(0, "unchanged\n", "");
      }
      if (command.contains("get nodes")) {
        return new CommandResult(0, "node/n0\n", "");
      }
      if (command.contains("journalctl -u rke2-agent")) {
        return new CommandResult(
            0,
            "time=\"t\" level=error msg=\"failed to get CA certs: Get"
                + " \\\"https://127.0.0.1:6444/cacerts\\\": 401 Unauthorized\"\n",
            "");
      }
      return new CommandResult(127, "", "unexpected: " + command);
    }
  }

  private static Rke2Run run(RemoteShellPort shell) {
    return new Rke2Run(
        PLAN,
        TARGETS,
        shell,
        "tok",
        new Rke2Settings(
            "v1.32.5+rke2r1",
            "https://get.rke2.io",
            null,
            Duration.ofSeconds(5),
            Duration.ofMinutes(1)),
        Instant.EPOCH);
  }

  @Test
  void anAgentWhoseTokenTheServerRefusesEndsTheRunNamingNodeAndServer() {
    Installed nodes = new Installed();
    Rke2Run run = run(nodes);

    for (int i = 0; i < 10 && !run.finished(); i++) {
      run.advance();
    }

    assertThat(run.finished()).isTrue();
    assertThatThrownBy(run::result)
        .isInstanceOf(TransientFailure.class)
        .hasMessageContaining("node n1 cannot join the RKE2 server at 10.0.0.1:9345")
        .hasMessageContaining("401 Unauthorized")
        .extracting(e -> ((TransientFailure) e).code())
        .isEqualTo("RKE2_JOIN_REJECTED");
    assertThat(nodes.sent)
        .as("installed, unchanged and running: nothing installed or restarted")
        .noneMatch(c -> c.contains("install") || c.contains("restart"));
  }

  @Test
  void anAgentThatDoesNotAnswerIsLookedAtAgainNotSkipped() {
    Installed nodes = new Installed();
    nodes.agentUnreachable = 2;
    Rke2Run run = run(nodes);

    for (int i = 0; i < 10 && !run.finished(); i++) {
      run.advance();
    }

    assertThat(nodes.sent.stream().filter(c -> c.equals("n1: rke2 --version")))
        .as("the agent's probe again after each refused connection")
        .hasSize(3);
    assertThat(nodes.sent).contains("n1: systemctl is-active rke2-agent");
  }
}
