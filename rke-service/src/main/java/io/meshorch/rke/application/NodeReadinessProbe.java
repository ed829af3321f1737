package io.meshorch.rke.application;

import io.meshorch.kit.failure.StepFailure;
import io.meshorch.kit.failure.TerminalFailure;
import io.meshorch.kit.failure.TransientFailure;
import io.meshorch.rke.domain.CommandResult;
import io.meshorch.rke.domain.NodeChecks;
import io.meshorch.rke.domain.SshTarget;
import io.meshorch.rke.port.RemoteShellPort;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Waits until nodes are ready for the deployer: cloud-init finished and the Docker daemon answers.
 * Nodes are checked in parallel; a node that refuses connections or times out is still booting and
 * is polled again until {@link ReadinessTimings#readyTimeout()}; a host key that does not verify
 * stops everything at once.
 */
public final class NodeReadinessProbe {
  private static final Logger log = LoggerFactory.getLogger(NodeReadinessProbe.class);
  private static final int MAX_DETAIL = 200;

  private final RemoteShellPort shell;
  private final ExecutorService executor;
  private final ReadinessTimings timings;

  public NodeReadinessProbe(
      RemoteShellPort shell, ExecutorService executor, ReadinessTimings timings) {
    this.shell = shell;
    this.executor = executor;
    this.timings = timings;
  }

  /**
   * Blocks until every target is ready and returns each node's Docker version by node name, in
   * target order. {@code onReady} is called once per node as soon as it is ready.
   *
   * @throws StepFailure the first node failure: terminal for host-key problems, a failed cloud-init
   *     or keys never accepted; {@code NODE_NOT_READY} (transient) on timeout
   */
  public Map<String, String> awaitAll(
      List<SshTarget> targets, BiConsumer<SshTarget, String> onReady) {
    CompletionService<String> done = new ExecutorCompletionService<>(executor);
    List<Future<String>> futures = new ArrayList<>();
    for (SshTarget target : targets) {
      futures.add(
          done.submit(
              () -> {
                String version = awaitOne(target);
                onReady.accept(target, version);
                return version;
              }));
    }
    try {
      for (int i = 0; i < targets.size(); i++) {
        done.take().get();
      }
    } catch (ExecutionException e) {
      futures.forEach(f -> f.cancel(true));
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      throw new TransientFailure("NODE_NOT_READY", "node check failed: " + e.getCause(), e);
    } catch (InterruptedException e) {
      futures.forEach(f -> f.cancel(true));
      Thread.currentThread().interrupt();
      throw new TransientFailure("INTERRUPTED", "interrupted while waiting for nodes", e);
    }
    Map<String, String> versions = new LinkedHashMap<>();
    try {
      for (int i = 0; i < targets.size(); i++) {
        versions.put(targets.get(i).node(), futures.get(i).get());
      }
    } catch (InterruptedException | ExecutionException e) {
      // Every future completed normally above; this cannot happen.
      throw new IllegalStateException(e);
    }
    return versions;
  }

  /** Polls one node until it is ready; returns its Docker server version. */
  String awaitOne(SshTarget target) {
    Instant deadline = Instant.now().plus(timings.readyTimeout());
    String last = "no answer yet";
    String lastCode = null;
    while (true) {
      try {
        Optional<String> version = check(target);
        if (version.isPresent()) {
          log.info("node {} ({}) is ready, docker {}", target.node(), target.host(), version.get());
          return version.get();
        }
        last = "not ready yet";
        lastCode = null;
      } catch (NotReady e) {
        last = e.getMessage();
        lastCode = null;
      } catch (TransientFailure e) {
        last = e.getMessage();
        lastCode = e.code();
      }
      if (Instant.now().plus(timings.pollInterval()).isAfter(deadline)) {
        throw timedOut(target, last, lastCode);
      }
      log.debug("node {} not ready: {}", target.node(), last);
      pause(timings.pollInterval());
    }
  }

  private Optional<String> check(SshTarget target) {
    CommandResult cloudInit = shell.run(target, NodeChecks.CLOUD_INIT, timings.commandTimeout());
    switch (NodeChecks.cloudInit(cloudInit)) {
      case ERROR ->
          throw new TerminalFailure(
              "CLOUD_INIT_FAILED",
              "node "
                  + target.node()
                  + ": cloud-init reported 'status: error'; see /var/log/cloud-init-output.log on"
                  + " the node");
      case RUNNING -> throw new NotReady("cloud-init not done: " + firstLine(cloudInit.stdout()));
      case DONE -> {
        // cloud-init finished: Docker should be up now or soon.
      }
    }
    CommandResult docker = shell.run(target, NodeChecks.DOCKER, timings.commandTimeout());
    Optional<String> version = NodeChecks.dockerVersion(docker);
    if (version.isEmpty()) {
      throw new NotReady(
          "docker version exited "
              + docker.exitStatus()
              + ": "
              + firstLine(docker.stderr().isBlank() ? docker.stdout() : docker.stderr()));
    }
    return version;
  }

  private StepFailure timedOut(SshTarget target, String last, String lastCode) {
    String message =
        "node "
            + target.node()
            + " ("
            + target.host()
            + ":"
            + target.port()
            + ") not ready after "
            + format(timings.readyTimeout())
            + " (mesh.ssh.ready-timeout); last: "
            + last;
    if ("SSH_AUTH_FAILED".equals(lastCode)) {
      return new TerminalFailure(
          "SSH_AUTH_FAILED",
          message
              + "; check that the node's keypair matches mesh.ssh.private-key-path and the user "
              + target.user());
    }
    return new TransientFailure("NODE_NOT_READY", message);
  }

  private static String firstLine(String text) {
    String line = text.strip().lines().findFirst().orElse("(no output)");
    return line.length() > MAX_DETAIL ? line.substring(0, MAX_DETAIL) + "…" : line;
  }

  private static String format(Duration d) {
    return d.toString().substring(2).toLowerCase(Locale.ROOT);
  }

  private static void pause(Duration pause) {
    try {
      Thread.sleep(pause.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TransientFailure("INTERRUPTED", "interrupted while waiting for nodes", e);
    }
  }

  /** A node answered but is not ready yet. */
  private static final class NotReady extends RuntimeException {
    NotReady(String message) {
      super(message, null, false, false);
    }
  }
}
