package io.meshorch.rke.application;

import io.meshorch.kit.failure.TerminalFailure;
import io.meshorch.kit.failure.TransientFailure;
import io.meshorch.kit.step.StepContext;
import io.meshorch.rke.domain.CommandResult;
import io.meshorch.rke.domain.NodeChecks;
import io.meshorch.rke.domain.SshTarget;
import io.meshorch.rke.port.RemoteShellPort;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The nodes of one cluster on their way to ready (cloud-init done, then the Docker daemon answering
 * the SSH user), looked at one node per call so that a call costs at most two short SSH commands
 * and never waits: a round visits every node not ready yet, then the step waits and starts the next
 * round. A node that refuses connections, times out or does not accept the key yet is "not ready
 * yet"; a host key that does not verify, a failed cloud-init or a user denied the Docker socket
 * once cloud-init is done ends the step at once.
 */
final class NodeReadiness {
  private static final Logger log = LoggerFactory.getLogger(NodeReadiness.class);

  /** What one call found. */
  enum Pass {
    /** More nodes to look at in this round. */
    MORE,
    /** The round is over and some nodes are not ready. */
    ROUND_DONE,
    /** Every node is ready. */
    ALL_READY
  }

  private final List<SshTarget> targets;
  private final RemoteShellPort shell;
  private final Duration commandTimeout;
  private final boolean docker;
  // node name → why it is not ready yet, in node order; ready nodes are removed
  private final Map<String, String> waiting = new LinkedHashMap<>();
  private final Set<String> cloudInitDone = new HashSet<>();
  private final Set<String> keyRefused = new HashSet<>();
  private final Deque<SshTarget> round = new ArrayDeque<>();

  NodeReadiness(List<SshTarget> targets, RemoteShellPort shell, Duration commandTimeout) {
    this(targets, shell, commandTimeout, true);
  }

  /**
   * @param docker whether a node needs Docker answering its SSH user (RKE1); without (RKE2, which
   *     brings containerd), a node is ready once cloud-init is done
   */
  NodeReadiness(
      List<SshTarget> targets, RemoteShellPort shell, Duration commandTimeout, boolean docker) {
    this.docker = docker;
    this.targets = List.copyOf(targets);
    this.shell = shell;
    this.commandTimeout = commandTimeout;
    targets.forEach(t -> waiting.put(t.node(), "not checked yet"));
  }

  /**
   * Looks at the next node of the current round (starting a round when none is under way) and
   * reports {@code node <name> ready (docker <version>)} once per node.
   *
   * @throws TerminalFailure {@code CLOUD_INIT_FAILED}, {@code DOCKER_ACCESS_DENIED} (cloud-init is
   *     done and the SSH user is not allowed on the Docker socket), or the shell's terminal
   *     host-key and key file failures
   */
  Pass checkNext(StepContext ctx) {
    if (round.isEmpty()) {
      targets.stream().filter(t -> waiting.containsKey(t.node())).forEach(round::add);
    }
    SshTarget target = round.poll();
    if (target != null) {
      check(target, ctx);
    }
    if (!round.isEmpty()) {
      return Pass.MORE;
    }
    return waiting.isEmpty() ? Pass.ALL_READY : Pass.ROUND_DONE;
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

  private void check(SshTarget target, StepContext ctx) {
    String node = target.node();
    try {
      // One connection for both checks: a node found done with cloud-init is asked about Docker
      // without a second handshake.
      shell.onNode(
          target,
          commandTimeout,
          connection -> {
            check(target, connection, ctx);
            return null;
          });
    } catch (TransientFailure e) {
      // Refused, timed out or key not accepted yet: the node may still be booting.
      if ("SSH_AUTH_FAILED".equals(e.code())) {
        keyRefused.add(node);
      } else {
        keyRefused.remove(node);
      }
      notReady(node, e.code() + ": " + e.getMessage());
    }
  }

  /** Checks {@code target} over {@code connection}. */
  private void check(SshTarget target, RemoteShellPort.Connection connection, StepContext ctx) {
    String node = target.node();
    if (!cloudInitDone.contains(node)) {
      NodeChecks.CloudInitStatus cloudInit =
          NodeChecks.cloudInit(connection.run(NodeChecks.CLOUD_INIT));
      keyRefused.remove(node);
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
          notReady(node, "cloud-init: " + cloudInit.detail());
          return;
        }
        case DONE -> cloudInitDone.add(node);
      }
    }
    if (!docker) {
      waiting.remove(node);
      log.info("node {} ({}) is ready, cloud-init done", node, target.host());
      ctx.progress("node " + node + " ready (cloud-init done)");
      return;
    }
    CommandResult answer = connection.run(NodeChecks.DOCKER);
    keyRefused.remove(node);
    NodeChecks.DockerStatus docker = NodeChecks.docker(answer);
    if (docker.accessDenied()) {
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
              + docker.problem()
              + "; add "
              + target.user()
              + " to the docker group on the node (usermod -aG docker "
              + target.user()
              + ", as the product's user data does: check mesh.vms.user-data-file), then run"
              + " up again");
    }
    if (!docker.ready()) {
      notReady(node, docker.problem());
      return;
    }
    waiting.remove(node);
    log.info("node {} ({}) is ready, docker {}", node, target.host(), docker.version());
    ctx.progress("node " + node + " ready (docker " + docker.version() + ")");
  }

  private void notReady(String node, String why) {
    waiting.put(node, why);
    log.debug("node {} not ready: {}", node, why);
  }
}
