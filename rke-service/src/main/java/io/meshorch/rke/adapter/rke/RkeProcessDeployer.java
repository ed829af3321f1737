package io.meshorch.rke.adapter.rke;

import io.meshorch.kit.failure.TransientFailure;
import io.meshorch.rke.port.KubernetesDeployerPort;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the {@code rke} executable: {@code rke up --config <file>} in the file's folder, with a time
 * limit, its output kept in {@code rke-up.log} beside the file (owner-only folder). Only its
 * FATA/ERRO lines travel in error messages.
 */
public final class RkeProcessDeployer implements KubernetesDeployerPort {
  private static final Logger log = LoggerFactory.getLogger(RkeProcessDeployer.class);

  private final String executable;
  private final Duration timeout;

  public RkeProcessDeployer(String executable, Duration timeout) {
    this.executable = executable;
    this.timeout = timeout;
  }

  @Override
  public Path deploy(Path clusterFile) {
    Path dir = clusterFile.toAbsolutePath().getParent();
    Path logFile = dir.resolve("rke-up.log");
    Process process;
    try {
      process =
          new ProcessBuilder(executable, "up", "--config", clusterFile.toAbsolutePath().toString())
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(logFile.toFile())
              .start();
    } catch (IOException e) {
      throw new TransientFailure(
          "RKE_NOT_RUNNABLE", "cannot run " + executable + ": " + e.getMessage(), e);
    }
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new TransientFailure("RKE_UP_TIMEOUT", "rke up did not finish within " + timeout);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new TransientFailure("RKE_UP_INTERRUPTED", "interrupted while rke up ran", e);
    }
    if (process.exitValue() != 0) {
      throw new TransientFailure(
          "RKE_UP_FAILED",
          "rke up exited with " + process.exitValue() + ": " + failureLines(logFile));
    }
    Path kubeconfig = dir.resolve("kube_config_cluster.yml");
    if (!Files.exists(kubeconfig)) {
      throw new TransientFailure(
          "RKE_UP_FAILED", "rke up succeeded but wrote no kube_config_cluster.yml");
    }
    log.info("rke up finished for {}", clusterFile);
    return kubeconfig;
  }

  private static String failureLines(Path logFile) {
    try {
      List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
      List<String> fatal =
          lines.stream().filter(l -> l.startsWith("FATA") || l.startsWith("ERRO")).toList();
      List<String> shown =
          fatal.isEmpty() ? lines.subList(Math.max(0, lines.size() - 1), lines.size()) : fatal;
      return String.join(" | ", shown);
    } catch (IOException e) {
      return "(no output)";
    }
  }
}
