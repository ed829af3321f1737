package io.meshorch.rke.adapter.rke;

import io.meshorch.kit.failure.TransientFailure;
import io.meshorch.rke.domain.Kubeconfig;
import io.meshorch.rke.domain.RkeLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code rke up} process of one cluster directory: either started by this deployer (a child
 * process, judged by its exit code) or found running, or ended, from its pid file after a restart
 * (judged by its files: a kubeconfig written after the run's {@code cluster.yml}, which is written
 * just before a run starts, and RKE's success line in the log). The verdict is taken once, on the
 * first {@link #verdict()} after the process ended: then the kubeconfig is read and deleted, {@code
 * cluster.rkestate} made 0600 and the pid file removed.
 */
final class RkeRun {
  private static final Logger log = LoggerFactory.getLogger(RkeRun.class);

  /** How a run ended: a kubeconfig, or the failure to report. */
  record Verdict(Kubeconfig kubeconfig, TransientFailure failure) {}

  private final Path dir;
  private final long pid;
  private final Process child;
  private final ProcessHandle handle;
  private final Instant startedAt;
  private final FileTime launchedAt;
  private final String clusterYml;
  private final int summaryLines;
  private Verdict verdict;

  private RkeRun(
      Path dir,
      long pid,
      Process child,
      ProcessHandle handle,
      Instant startedAt,
      FileTime launchedAt,
      String clusterYml,
      int summaryLines) {
    this.dir = dir;
    this.pid = pid;
    this.child = child;
    this.handle = handle;
    this.startedAt = startedAt;
    this.launchedAt = launchedAt;
    this.clusterYml = clusterYml;
    this.summaryLines = summaryLines;
  }

  /** A run this deployer started. */
  static RkeRun started(Path dir, Process child, String clusterYml, int summaryLines) {
    return new RkeRun(
        dir, child.pid(), child, child.toHandle(), Instant.now(), null, clusterYml, summaryLines);
  }

  /**
   * A run found through its pid file: {@code handle} when the process still runs, null when it
   * ended while nobody watched.
   *
   * @param launchedAt when the run's cluster.yml was written, just before it started
   */
  static RkeRun found(
      Path dir,
      long pid,
      ProcessHandle handle,
      FileTime launchedAt,
      String clusterYml,
      int summaryLines) {
    Instant started =
        handle == null
            ? launchedAt.toInstant()
            : handle.info().startInstant().orElse(launchedAt.toInstant());
    return new RkeRun(dir, pid, null, handle, started, launchedAt, clusterYml, summaryLines);
  }

  long pid() {
    return pid;
  }

  Instant startedAt() {
    return startedAt;
  }

  /** True when this run was found from its pid file, not started by this deployer. */
  boolean resumed() {
    return child == null;
  }

  /** True when the run deploys exactly {@code text} as its cluster.yml. */
  boolean ranWith(String text) {
    return clusterYml.equals(text);
  }

  boolean finished() {
    return handle == null || !handle.isAlive();
  }

  /** True once the verdict was taken. */
  synchronized boolean judged() {
    return verdict != null;
  }

  void onExit(Runnable callback) {
    if (handle == null) {
      callback.run();
    } else if (child != null) {
      // the Process's own future: its exit code is known when the callback runs
      child.onExit().thenRun(callback);
    } else {
      handle.onExit().thenRun(callback);
    }
  }

  /** Kills the process and everything it started (RKE starts SSH tunnels and helpers). */
  void kill() {
    if (handle == null) {
      return;
    }
    handle.descendants().forEach(ProcessHandle::destroyForcibly);
    handle.destroyForcibly();
    log.warn("killed rke up pid {} in {}", pid, dir);
  }

  /** How the run ended; taken once, after the process ended. */
  synchronized Verdict verdict() {
    if (verdict != null) {
      return verdict;
    }
    if (!finished()) {
      throw new IllegalStateException("rke up pid " + pid + " is still running");
    }
    verdict = child != null ? judgeExit() : judgeFiles();
    try {
      Files.deleteIfExists(dir.resolve(RkeProcessDeployer.PID_FILE));
    } catch (IOException e) {
      log.warn("cannot remove the pid file in {}: {}", dir, e.toString());
    }
    return verdict;
  }

  private Verdict judgeExit() {
    int exit = child.exitValue();
    if (exit != 0) {
      return failed("rke up exited with " + exit + summary());
    }
    if (!Files.isRegularFile(kubeconfigFile())) {
      return failed(
          "rke up exited with 0 but wrote no " + RkeProcessDeployer.KUBECONFIG_FILE + summary());
    }
    return collect();
  }

  private Verdict judgeFiles() {
    Path kubeconfig = kubeconfigFile();
    try {
      boolean fresh =
          Files.isRegularFile(kubeconfig)
              && Files.getLastModifiedTime(kubeconfig).compareTo(launchedAt) >= 0;
      if (fresh && RkeLog.finishedSuccessfully(logLines())) {
        log.info("rke up pid {} in {} finished while the service was not watching it", pid, dir);
        return collect();
      }
    } catch (IOException | UncheckedIOException e) {
      log.warn("cannot judge rke up pid {} in {}: {}", pid, dir, e.toString());
    }
    return failed(
        "rke up pid "
            + pid
            + ", started before this service restarted, ended without finishing"
            + summary());
  }

  private Verdict collect() {
    Path kubeconfig = kubeconfigFile();
    try {
      String text = Files.readString(kubeconfig, StandardCharsets.UTF_8);
      // The secret store keeps it from now on; no plain admin credentials stay on disk.
      Files.delete(kubeconfig);
      Path state = dir.resolve(RkeProcessDeployer.STATE_FILE);
      if (Files.exists(state)) {
        PrivateFiles.restrict(state);
      }
      log.info(
          "rke up pid {} succeeded in {}; kubeconfig taken over, plain file removed", pid, dir);
      return new Verdict(new Kubeconfig(text), null);
    } catch (IOException e) {
      return failed("cannot read " + kubeconfig + ": " + e);
    }
  }

  private Verdict failed(String message) {
    log.warn("rke up pid {} in {} failed: {}", pid, dir, message);
    List<String> denied;
    try {
      denied = RkeLog.dockerDeniedHosts(logLines());
    } catch (IOException | UncheckedIOException e) {
      denied = List.of();
    }
    if (!denied.isEmpty()) {
      return new Verdict(
          null,
          new TransientFailure(
              "DOCKER_ACCESS_DENIED",
              "the SSH user cannot use the Docker socket on host(s) " + denied + "; " + message));
    }
    return new Verdict(null, new TransientFailure("RKE_UP_FAILED", message));
  }

  private Path kubeconfigFile() {
    return dir.resolve(RkeProcessDeployer.KUBECONFIG_FILE);
  }

  private List<String> logLines() throws IOException {
    Path file = dir.resolve(RkeProcessDeployer.LOG_FILE);
    return Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : List.of();
  }

  private String summary() {
    Path file = dir.resolve(RkeProcessDeployer.LOG_FILE);
    try {
      String errors = RkeLog.failureSummary(logLines(), summaryLines);
      return errors.isEmpty() ? " (no FATA/ERRO line; see " + file + ")" : ": " + errors;
    } catch (IOException | UncheckedIOException e) {
      return " (log " + file + " unreadable)";
    }
  }
}
