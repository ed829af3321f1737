package io.meshorch.rke.application;

import io.meshorch.kit.failure.TerminalFailure;
import io.meshorch.kit.failure.TransientFailure;
import io.meshorch.kit.step.StepContext;
import io.meshorch.rke.domain.CommandResult;
import io.meshorch.rke.domain.NodeChecks;
import io.meshorch.rke.domain.SshTarget;
import io.meshorch.rke.port.RemoteShellPort;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The nodes of one cluster on their way to ready (cloud-init done, then the Docker daemon answering
 * the SSH user). A round checks every node not ready yet, all at once on the service's SSH probe
 * pool: its length is that of the slowest node's check, not their sum (a node's check is one SSH
 * handshake and at most two short commands, so a round of fifty nodes one after another took some
 * fifty handshakes). Each check nudges the step as it ends; the step waits between rounds. No call
 * of the step waits or does SSH itself.
 *
 * <p>A node that refuses connections, times out or does not accept the key yet is "not ready yet";
 * a host key that does not verify, a failed cloud-init or a user denied the Docker socket once
 * cloud-init is done ends the step at once.
 */
final class NodeReadiness {
  private static final Logger log = LoggerFactory.getLogger(NodeReadiness.class);

  /** What one look found. */
  enum Look {
    /** Checks of this round are still under way; each nudges the step as it ends. */
    CHECKING,
    /** The round is over and some nodes are not ready. */
    ROUND_DONE,
    /** Every node is ready. */
    ALL_READY
  }

  /** What the check of one node found, handed from the probe pool to the step. */
  private record Finding(
      SshTarget target,
      String readyWith,
      String notReady,
      boolean keyRefused,
      RuntimeException end) {
    static Finding ready(SshTarget target, String with) {
      return new Finding(target, with, null, false, null);
    }

    static Finding notReady(SshTarget target, String why, boolean keyRefused) {
      return new Finding(target, null, why, keyRefused, null);
    }

    static Finding ends(SshTarget target, RuntimeException failure) {
      return new Finding(target, null, null, false, failure);
    }
  }

  private final List<SshTarget> targets;
  private final RemoteShellPort shell;
  private final Duration commandTimeout;
  private final boolean docker;
  private final Executor probes;
  // node name → why it is not ready yet, in node order; ready nodes are removed
  private final Map<String, String> waiting = new LinkedHashMap<>();
  // written by the probes, each node's by one probe at a time; read by the next probe of the node
  private final Set<String> cloudInitDone = ConcurrentHashMap.newKeySet();
  private final Set<String> keyRefused = new HashSet<>();
  private final Queue<Finding> found = new ConcurrentLinkedQueue<>();
  private int checking;
  private boolean roundOpen;

  /**
   * @param docker whether a node needs Docker answering its SSH user (RKE1); without (RKE2, which
   *     brings containerd), a node is ready once cloud-init is done
   * @param probes where the checks run, shared by the service's steps
   */
  NodeReadiness(
      List<SshTarget> targets,
      RemoteShellPort shell,
      Duration commandTimeout,
      boolean docker,
      Executor probes) {
    this.docker = docker;
    this.targets = List.copyOf(targets);
    this.shell = shell;
    this.commandTimeout = commandTimeout;
    this.probes = probes;
    targets.forEach(t -> waiting.put(t.node(), "not checked yet"));
  }

  /**
   * Takes in the checks that ended since the last look (reporting {@code node <name> ready (docker
   * <version>)} once per node) and starts a round when none is under way and the last one ended
   * before the previous look.
   *
   * @throws TerminalFailure {@code CLOUD_INIT_FAILED}, {@code DOCKER_ACCESS_DENIED} (cloud-init is
   *     done and the SSH user is not allowed on the Docker socket), or the shell's terminal
   *     host-key and key file failures
   */
  Look look(StepContext ctx) {
    takeIn(ctx);
    if (waiting.isEmpty()) {
      return Look.ALL_READY;
    }
    if (checking > 0) {
      return Look.CHECKING;
    }
    if (roundOpen) {
      // the round's last check ended since the previous look: the step waits before the next
      roundOpen = false;
      return Look.ROUND_DONE;
    }
    startRound(ctx);
    takeIn(ctx); // checks that ran on the caller's thread have ended already
    if (waiting.isEmpty()) {
      return Look.ALL_READY;
    }
    if (checking > 0) {
      return Look.CHECKING;
    }
    roundOpen = false;
    return Look.ROUND_DONE;
  }

  /** The nodes not ready yet and why, e.g. {@code 1 of 3 node(s) not ready: node-2: ...}. */
  String status() {
    return waiting.size()
        + " of "
        + targets.size()
        + " node(s) not ready: "
        + waiting.entrySet().stream()
            .map(e -> e.getKey() + ": " + e.getValue())
            .collect(Collectors.joining("; "));
  }

  /** The nodes whose last answer was that the configured key is not accepted. */
  List<String> refusingTheKey() {
    return targets.stream().map(SshTarget::node).filter(keyRefused::contains).toList();
  }

  private void startRound(StepContext ctx) {
    roundOpen = true;
    for (SshTarget target : targets) {
      if (!waiting.containsKey(target.node())) {
        continue;
      }
      checking++;
      try {
        probes.execute(() -> probe(target, ctx));
      } catch (RejectedExecutionException e) {
        // the service stops: the step is resumed on its next start
        checking--;
        waiting.put(target.node(), "not checked: the service is stopping");
      }
    }
  }

  private void takeIn(StepContext ctx) {
    RuntimeException end = null;
    for (Finding f = found.poll(); f != null; f = found.poll()) {
      checking--;
      String node = f.target().node();
      if (f.end() != null) {
        end = end == null ? f.end() : end;
      } else if (f.readyWith() != null) {
        keyRefused.remove(node);
        if (waiting.remove(node) != null) {
          log.info("node {} ({}) is ready, {}", node, f.target().host(), f.readyWith());
          ctx.progress("node " + node + " ready (" + f.readyWith() + ")");
        }
      } else {
        if (f.keyRefused()) {
          keyRefused.add(node);
        } else {
          keyRefused.remove(node);
        }
        waiting.put(node, f.notReady());
        log.debug("node {} not ready: {}", node, f.notReady());
      }
    }
    if (end != null) {
      throw end;
    }
  }

  /** On the probe pool: checks one node and hands what it found to the step. */
  private void probe(SshTarget target, StepContext ctx) {
    Finding finding;
    try {
      // One connection for both checks: a node found done with cloud-init is asked about Docker
      // without a second handshake.
      finding = shell.onNode(target, commandTimeout, connection -> check(target, connection));
    } catch (TransientFailure e) {
      // Refused, timed out or key not accepted yet: the node may still be booting.
      finding =
          Finding.notReady(
              target, e.code() + ": " + e.getMessage(), "SSH_AUTH_FAILED".equals(e.code()));
    } catch (RuntimeException e) {
      finding = Finding.ends(target, e);
    }
    found.add(finding);
    ctx.nudge();
  }

  /** Checks {@code target} over {@code connection}. */
  private Finding check(SshTarget target, RemoteShellPort.Connection connection) {
    String node = target.node();
    if (!cloudInitDone.contains(node)) {
      NodeChecks.CloudInitStatus cloudInit =
          NodeChecks.cloudInit(connection.run(NodeChecks.CLOUD_INIT));
      switch (cloudInit.state()) {
        case ERROR ->
            throw new TerminalFailure(
                "CLOUD_INIT_FAILED",
                "node "
                    + node
                    + ": cloud-init reported '"
                    + cloudInit.detail()
                    + "'; see /var/log/cloud-init-output.log on the node");
        case RUNNING -> {
          return Finding.notReady(target, "cloud-init: " + cloudInit.detail(), false);
        }
        case DONE -> cloudInitDone.add(node);
      }
    }
    if (!docker) {
      return Finding.ready(target, "cloud-init done");
    }
    CommandResult answer = connection.run(NodeChecks.DOCKER);
    NodeChecks.DockerStatus status = NodeChecks.docker(answer);
    if (status.accessDenied()) {
      // cloud-init is done: its user data is all that ever adds the user to the group
      throw new TerminalFailure(
          "DOCKER_ACCESS_DENIED",
          "node "
              + node
              + " ("
              + target.host()
              + "): user "
              + target.user()
              + " cannot use Docker, "
              + status.problem()
              + "; add "
              + target.user()
              + " to the docker group on the node (usermod -aG docker "
              + target.user()
              + ", as the product's user data does: check mesh.vms.user-data-file), then run"
              + " up again");
    }
    if (!status.ready()) {
      return Finding.notReady(target, status.problem(), false);
    }
    return Finding.ready(target, "docker " + status.version());
  }
}
