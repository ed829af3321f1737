package io.meshorch.rke.adapter.rke2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.meshorch.kit.failure.TransientFailure;
import io.meshorch.rke.domain.ClusterPlan;
import io.meshorch.rke.domain.CommandResult;
import io.meshorch.rke.domain.HostKeyTrust;
import io.meshorch.rke.domain.PlannedNode;
import io.meshorch.rke.domain.SshTarget;
import io.meshorch.rke.port.RemoteShellPort;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The RKE2 run's decisions on scripted node answers (no SSH): what it sends, when it ends. */
class Rke2RunTest {
  private static final ClusterPlan PLAN = plan(2);
  private static final List<SshTarget> TARGETS = targets(2);

  /** An RKE2 plan of {@code size} nodes n0, n1, … at 10.0.0.1, 10.0.0.2, …; n0 the server. */
  private static ClusterPlan plan(int size) {
    List<PlannedNode> nodes = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      nodes.add(new PlannedNode("n" + i, "10.0.0." + (i + 1), PlannedNode.rolesFor(i)));
    }
    return new ClusterPlan(
        "m1",
        "west",
        nodes,
        "ubuntu",
        22,
        "/k",
        "10.102.0.0/16",
        "10.202.0.0/16",
        "v1.30.4+rke2r1",
        120,
        "rke2");
  }

  private static List<SshTarget> targets(int size) {
    List<SshTarget> targets = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      targets.add(target("n" + i, "10.0.0." + (i + 1)));
    }
    return targets;
  }

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
    return run(PLAN, TARGETS, shell, Runnable::run);
  }

  private static Rke2Run run(
      ClusterPlan plan, List<SshTarget> targets, RemoteShellPort shell, Executor installs) {
    return new Rke2Run(
        plan,
        targets,
        shell,
        "tok",
        new Rke2Settings(
            "v1.32.5+rke2r1",
            "https://get.rke2.io",
            null,
            Duration.ofSeconds(5),
            Duration.ofMinutes(1)),
        installs,
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

  /**
   * Fresh nodes: every install waits until all three agents' installs have begun, so agents
   * prepared one after another never get past the first.
   */
  private static final class Fresh implements RemoteShellPort {
    final CountDownLatch agentsInstalling = new CountDownLatch(3);
    final List<String> sent = new CopyOnWriteArrayList<>();
    final Set<String> installed = ConcurrentHashMap.newKeySet();

    @Override
    public CommandResult run(SshTarget target, String command, Duration timeout) {
      sent.add(target.node() + ": " + command);
      String node = target.node();
      if (command.equals("rke2 --version")) {
        return installed.contains(node)
            ? new CommandResult(0, "rke2 version v1.30.4+rke2r1 (x)\n", "")
            : new CommandResult(127, "", "rke2: command not found");
      }
      if (command.startsWith("systemctl is-active")) {
        return installed.contains(node)
            ? new CommandResult(0, "active\n", "")
            : new CommandResult(3, "inactive\n", "");
      }
      if (command.contains("config.yaml.new")) {
        return new CommandResult(0, "written\n", "");
      }
      if (command.contains("INSTALL_RKE2_TYPE")) {
        if (command.contains("INSTALL_RKE2_TYPE=agent")) {
          agentsInstalling.countDown();
          try {
            if (!agentsInstalling.await(5, TimeUnit.SECONDS)) {
              return new CommandResult(1, "", "the other agents were not installing");
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new CommandResult(1, "", "interrupted");
          }
        }
        installed.add(node);
        return new CommandResult(0, "", "");
      }
      if (command.contains("restart rke2-")) {
        return new CommandResult(0, "", "");
      }
      if (command.contains("get nodes")) {
        StringBuilder nodes = new StringBuilder();
        installed.forEach(n -> nodes.append("node/").append(n).append('\n'));
        return new CommandResult(0, nodes.toString(), "");
      }
      if (command.equals("sudo cat /etc/rancher/rke2/rke2.yaml")) {
        return new CommandResult(
            0,
            "apiVersion: v1\nclusters:\n- cluster:\n    certificate-authority-data: Q0E=\n"
                + "    server: https://127.0.0.1:6443\n  name: default\nkind: Config\n",
            "");
      }
      return new CommandResult(127, "", "unexpected: " + command);
    }
  }

  @Test
  void preparesEveryAgentAtOnceOffTheCallersThreadAndNudgesAsEachEnds() {
    Fresh nodes = new Fresh();
    ExecutorService installs = Executors.newFixedThreadPool(4);
    try {
      Rke2Run run = run(plan(4), targets(4), nodes, installs);
      AtomicInteger nudges = new AtomicInteger();
      run.onProgress(nudges::incrementAndGet);

      // Called as the step's re-checks would call it, until the run ended.
      await()
          .atMost(Duration.ofSeconds(20))
          .pollInterval(Duration.ofMillis(20))
          .until(
              () -> {
                run.advance();
                return run.finished();
              });

      assertThat(run.result().yaml()).contains("server: https://10.0.0.1:6443");
      assertThat(nodes.installed).containsExactlyInAnyOrder("n0", "n1", "n2", "n3");
      assertThat(nudges.get()).as("the server's and each agent's end").isEqualTo(4);
    } finally {
      installs.shutdownNow();
    }
  }
}
