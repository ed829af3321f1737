package io.meshorch.rke.adapter.rke;

import io.meshorch.kit.failure.TerminalFailure;
import io.meshorch.kit.failure.TransientFailure;
import io.meshorch.kit.retry.Backoff;
import io.meshorch.kit.retry.Retrier;
import io.meshorch.rke.domain.ClusterPlan;
import io.meshorch.rke.domain.Kubeconfig;
import io.meshorch.rke.domain.RkeClusterYml;
import io.meshorch.rke.domain.RkeLog;
import io.meshorch.rke.port.KubernetesDeployerPort;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link KubernetesDeployerPort} for RKE1: writes {@code <workDir>/<meshId>/<cluster>/cluster.yml}
 * (directory 0700, file 0600), runs {@code <executable> up --config <abs path>} with a timeout and
 * its output in {@code rke-up.log} beside it, and retries with back-off (re-running {@code rke up}
 * is RKE's documented fix for add-on job time-outs). On success it reads {@code
 * kube_config_cluster.yml}, deletes it and keeps {@code cluster.rkestate} at 0600: the state file
 * is what lets a later {@code rke up} converge the same cluster.
 */
public final class RkeProcessDeployer implements KubernetesDeployerPort {
  private static final Logger log = LoggerFactory.getLogger(RkeProcessDeployer.class);
  static final String LOG_FILE = "rke-up.log";
  static final String KUBECONFIG_FILE = "kube_config_cluster.yml";
  static final String STATE_FILE = "cluster.rkestate";

  private final String executable;
  private final Path workDir;
  private final Duration timeout;
  private final Backoff backoff;
  private final int summaryLines;

  /**
   * @param executable the {@code rke} binary, a path or a name on PATH
   * @param workDir where each cluster gets its directory; holds admin credentials (rkestate)
   * @param timeout longest one {@code rke up} may run before it is killed
   * @param backoff attempts and pauses of {@code rke up}
   * @param summaryLines how many FATA/ERRO lines go into a failure message
   */
  public RkeProcessDeployer(
      String executable, Path workDir, Duration timeout, Backoff backoff, int summaryLines) {
    this.executable = executable;
    this.workDir = workDir.toAbsolutePath().normalize();
    this.timeout = timeout;
    this.backoff = backoff;
    this.summaryLines = summaryLines;
  }

  @Override
  public Kubeconfig deploy(ClusterPlan plan) {
    Path dir = workDir.resolve(plan.meshId()).resolve(plan.clusterName());
    Path clusterYml = dir.resolve("cluster.yml");
    try {
      createPrivateDirectories(dir);
      writePrivate(clusterYml, RkeClusterYml.render(plan));
    } catch (IOException | UncheckedIOException e) {
      throw new TerminalFailure(
          "RKE_WORK_DIR", "cannot write " + clusterYml + " (mesh.rke.work-dir): " + e, e);
    }
    log.info("wrote {} for {} node(s)", clusterYml, plan.nodes().size());
    try {
      return new Retrier(backoff).call("rke up " + clusterYml, () -> upOnce(dir, clusterYml));
    } catch (TransientFailure e) {
      throw new TransientFailure(
          "RKE_UP_FAILED",
          "rke up for cluster "
              + plan.clusterName()
              + " failed "
              + backoff.maxAttempts()
              + " time(s) (mesh.rke.attempts); last: "
              + e.getMessage(),
          e);
    }
  }

  private Kubeconfig upOnce(Path dir, Path clusterYml) {
    Path logFile = dir.resolve(LOG_FILE);
    Process process = start(dir, clusterYml, logFile);
    log.info("started {} up --config {} (pid {})", executable, clusterYml, process.pid());
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        kill(process);
        throw new TransientFailure(
            "RKE_UP_TIMEOUT",
            "rke up did not finish within " + timeout + " (mesh.rke.timeout)" + summary(logFile));
      }
    } catch (InterruptedException e) {
      kill(process);
      Thread.currentThread().interrupt();
      throw new TransientFailure("INTERRUPTED", "interrupted while rke up was running", e);
    }
    int exit = process.exitValue();
    if (exit != 0) {
      throw new TransientFailure("RKE_UP_FAILED", "rke up exited with " + exit + summary(logFile));
    }
    return collect(dir);
  }

  private Process start(Path dir, Path clusterYml, Path logFile) {
    try {
      writePrivate(logFile, "");
      return new ProcessBuilder(executable, "up", "--config", clusterYml.toString())
          .directory(dir.toFile())
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
          .start();
    } catch (IOException e) {
      throw new TerminalFailure(
          "RKE_NOT_FOUND",
          "cannot run mesh.rke.executable '" + executable + "': " + e.getMessage(),
          e);
    }
  }

  private Kubeconfig collect(Path dir) {
    Path kubeconfig = dir.resolve(KUBECONFIG_FILE);
    try {
      if (!Files.isRegularFile(kubeconfig)) {
        throw new TransientFailure(
            "RKE_UP_FAILED", "rke up exited with 0 but wrote no " + KUBECONFIG_FILE + " in " + dir);
      }
      String text = Files.readString(kubeconfig, StandardCharsets.UTF_8);
      // The secret store keeps it from now on; no plain admin credentials stay on disk.
      Files.delete(kubeconfig);
      Path state = dir.resolve(STATE_FILE);
      if (Files.exists(state)) {
        Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rw-------"));
      }
      log.info("rke up succeeded in {}; kubeconfig taken over, plain file removed", dir);
      return new Kubeconfig(text);
    } catch (IOException e) {
      throw new TransientFailure("RKE_UP_FAILED", "cannot read " + kubeconfig + ": " + e, e);
    }
  }

  private String summary(Path logFile) {
    try {
      List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
      String errors = RkeLog.failureSummary(lines, summaryLines);
      return errors.isEmpty() ? " (no FATA/ERRO line; see " + logFile + ")" : ": " + errors;
    } catch (IOException | UncheckedIOException e) {
      return " (log " + logFile + " unreadable)";
    }
  }

  private static void kill(Process process) {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void writePrivate(Path file, String text) throws IOException {
    try {
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (FileAlreadyExistsException e) {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }
    Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
  }

  private static void createPrivateDirectories(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
      return;
    }
    Path parent = dir.getParent();
    if (parent != null && !Files.isDirectory(parent)) {
      createPrivateDirectories(parent);
    }
    try {
      Files.createDirectory(
          dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } catch (FileAlreadyExistsException e) {
      // created concurrently: fine
    }
  }
}
