package io.meshorch.rke.application;

import io.meshorch.contracts.NodeInfo;
import io.meshorch.kit.failure.StepFailure;
import io.meshorch.kit.failure.TerminalFailure;
import io.meshorch.kit.failure.TransientFailure;
import io.meshorch.rke.domain.CommandResult;
import io.meshorch.rke.domain.HostKeyPolicy;
import io.meshorch.rke.domain.SshTarget;
import io.meshorch.rke.port.RemoteShellPort;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Waits until every node of a cluster answers over SSH with cloud-init done and Docker running,
 * checking the nodes in parallel, each until a deadline. An unreachable node is a node still
 * booting; a wrong host key or a refused key ends the wait at once.
 */
final class NodeReadiness {
  static final String CLOUD_INIT = "cloud-init status --wait";
  static final String DOCKER = "docker version --format '{{.Server.Version}}'";
  private static final Logger log = LoggerFactory.getLogger(NodeReadiness.class);

  private final RemoteShellPort shell;
  private final ExecutorService pool;
  private final RkeSettings settings;

  NodeReadiness(RemoteShellPort shell, ExecutorService pool, RkeSettings settings) {
    this.shell = shell;
    this.pool = pool;
    this.settings = settings;
  }

  /** Returns the Docker version of each node once all are ready. */
  List<String> awaitAll(List<NodeInfo> nodes, String user) {
    List<CompletableFuture<String>> checks = new ArrayList<>();
    for (NodeInfo node : nodes) {
      SshTarget target =
          new SshTarget(
              node.name(),
              node.address(),
              settings.sshPort(),
              user,
              HostKeyPolicy.forNode(node.sshHostKeyFingerprints(), settings.knownHostsFile()));
      checks.add(CompletableFuture.supplyAsync(() -> awaitOne(target), pool));
    }
    try {
      return checks.stream().map(CompletableFuture::join).toList();
    } catch (CompletionException e) {
      if (e.getCause() instanceof StepFailure failure) {
        throw failure;
      }
      throw e;
    }
  }

  private String awaitOne(SshTarget target) {
    Instant deadline = Instant.now().plus(settings.readyTimeout());
    TransientFailure last = null;
    while (Instant.now().isBefore(deadline)) {
      try {
        CommandResult cloudInit = shell.run(target, CLOUD_INIT, settings.commandTimeout());
        CommandResult docker = shell.run(target, DOCKER, settings.commandTimeout());
        if (cloudInit.ok() && cloudInit.stdout().contains("status: done") && docker.ok()) {
          log.info("node {} ready (docker {})", target.node(), docker.stdout());
          return docker.stdout();
        }
        if (cloudInit.stdout().contains("status: error")) {
          throw new TerminalFailure(
              "CLOUD_INIT_FAILED",
              "cloud-init failed on " + target.node() + ": " + cloudInit.stdout());
        }
      } catch (TransientFailure e) {
        last = e;
      }
      pause(settings.pollInterval());
    }
    throw new TransientFailure(
        "NODE_NOT_READY",
        "node "
            + target.node()
            + " was not ready over SSH within "
            + settings.readyTimeout()
            + (last == null ? "" : ": " + last.getMessage()));
  }

  private static void pause(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TransientFailure("INTERRUPTED", "interrupted while waiting for nodes", e);
    }
  }
}
