package io.meshorch.rke.adapter.rke;

import io.meshorch.kit.failure.TerminalFailure;
import io.meshorch.rke.domain.ClusterPlan;
import io.meshorch.rke.domain.Kubeconfig;
import io.meshorch.rke.domain.RkeClusterYml;
import io.meshorch.rke.port.DeployRun;
import io.meshorch.rke.port.KubernetesDeployerPort;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonPointer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@link KubernetesDeployerPort} for RKE1. Each cluster has a directory {@code
 * <workDir>/<meshId>/<cluster>/} (0700) holding {@code cluster.yml} (0600), {@code rke-up.log},
 * {@code rke-up.pid} while a run is under way, and {@code cluster.rkestate} (0600), the state that
 * lets a later {@code rke up} converge the same cluster.
 *
 * <p>{@link #start} writes {@code cluster.yml}, starts {@code <executable> up --config <abs path>}
 * (output appended to the log, stdin from /dev/null, so the process does not depend on this JVM)
 * and returns; no thread waits for it ({@link Process#onExit()}). When the run ended, its verdict
 * reads {@code kube_config_cluster.yml} and deletes it.
 *
 * <p>Restarts: a graceful stop leaves a running {@code rke up} alone. On the next start, the pid
 * file leads to it: if that pid is still alive and its command line names this {@code cluster.yml},
 * the run is waited for ({@link ProcessHandle#onExit()}), not started twice; if it ended meanwhile,
 * its kubeconfig (written after its cluster.yml, which precedes the start) and RKE's success line
 * in the log tell whether it succeeded; otherwise it runs again.
 */
public final class RkeProcessDeployer implements KubernetesDeployerPort {
  private static final Logger log = LoggerFactory.getLogger(RkeProcessDeployer.class);
  static final String CLUSTER_FILE = "cluster.yml";
  static final String LOG_FILE = "rke-up.log";
  static final String PID_FILE = "rke-up.pid";
  static final String KUBECONFIG_FILE = "kube_config_cluster.yml";
  static final String STATE_FILE = "cluster.rkestate";
  private static final JsonPointer DEPLOYED_VERSION =
      JsonPointer.compile("/currentState/rkeConfig/kubernetesVersion");
  private static final JsonMapper STATE_READER = JsonMapper.builder().build();

  /**
   * Locks by cluster directory (a stripe each): one cluster's start and removal never overlap, and
   * clusters do not wait for each other. One lock for the deployer queued sixteen launches of a
   * mesh behind each other, some 80 ms each on a loaded machine.
   */
  private static final int LOCK_STRIPES = 64;

  private final String executable;
  private final Path workDir;
  private final int summaryLines;
  // entry of a cluster directory guarded by its stripe: the runs of this JVM until their verdict
  // is taken
  private final Map<Path, RkeRun> runs = new ConcurrentHashMap<>();
  private final Object[] stripes = new Object[LOCK_STRIPES];

  /**
   * @param executable the {@code rke} binary, a path or a name on PATH
   * @param workDir where each cluster gets its directory; holds admin credentials (rkestate)
   * @param summaryLines how many FATA/ERRO lines go into a failure message
   */
  public RkeProcessDeployer(String executable, Path workDir, int summaryLines) {
    this.executable = executable;
    this.workDir = workDir.toAbsolutePath().normalize();
    this.summaryLines = summaryLines;
    for (int i = 0; i < stripes.length; i++) {
      stripes[i] = new Object();
    }
  }

  Object lockOf(Path dir) {
    return stripes[Math.floorMod(dir.hashCode(), stripes.length)];
  }

  @Override
  public DeployRun start(ClusterPlan plan) {
    Path dir = workDir.resolve(plan.meshId()).resolve(plan.clusterName());
    synchronized (lockOf(dir)) {
      return start(plan, dir);
    }
  }

  private DeployRun start(ClusterPlan plan, Path dir) {
    Path clusterYml = dir.resolve(CLUSTER_FILE);
    String text = RkeClusterYml.render(plan);
    RkeRun known = runs.get(dir);
    if (known == null || known.judged()) {
      runs.remove(dir);
      known = fromPidFile(dir, clusterYml);
    }
    if (known != null) {
      if (!known.finished()) {
        runs.put(dir, known);
        return new Handle(known, known.ranWith(text));
      }
      // It ended while nobody took its result (a restart, a step stopped): adopt a success.
      runs.remove(dir);
      RkeRun.Verdict verdict = known.verdict();
      if (verdict.kubeconfig() != null && known.ranWith(text)) {
        return new Handle(known, true);
      }
    }
    RkeRun run = launch(dir, clusterYml, text);
    runs.put(dir, run);
    return new Handle(run, true);
  }

  /**
   * {@code currentState.rkeConfig.kubernetesVersion} of the cluster's {@code cluster.rkestate}: the
   * version {@code rke up} last deployed, its own default resolved when cluster.yml pins none. The
   * file also holds the cluster's CA key and admin credentials: only that one field is kept.
   */
  @Override
  public Optional<String> deployedVersion(ClusterPlan plan) {
    Path state = workDir.resolve(plan.meshId()).resolve(plan.clusterName()).resolve(STATE_FILE);
    if (!Files.isRegularFile(state)) {
      return Optional.empty();
    }
    try {
      JsonNode version = STATE_READER.readTree(state.toFile()).at(DEPLOYED_VERSION);
      return version.isString() && !version.asString().isBlank()
          ? Optional.of(version.asString())
          : Optional.empty();
    } catch (JacksonException e) {
      log.warn("cannot read the deployed version from {}: {}", state, e.getOriginalMessage());
      return Optional.empty();
    }
  }

  @Override
  public java.util.List<String> remove(String meshId, String cluster) {
    Path dir = workDir.resolve(meshId).resolve(cluster);
    synchronized (lockOf(dir)) {
      return remove(dir);
    }
  }

  private java.util.List<String> remove(Path dir) {
    RkeRun known = runs.remove(dir);
    if (known == null) {
      known = fromPidFile(dir, dir.resolve(CLUSTER_FILE));
    }
    if (known != null && !known.finished()) {
      log.info("killing rke up of {}: its cluster is being deleted", dir);
      known.kill();
    }
    if (!Files.exists(dir)) {
      return java.util.List.of();
    }
    try (var walk = Files.walk(dir)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException | UncheckedIOException e) {
      throw new io.meshorch.kit.failure.TransientFailure(
          "RKE_WORK_DIR", "cannot remove " + dir + " (mesh.rke.work-dir): " + e, e);
    }
    log.info("removed the RKE state of {}", dir);
    return java.util.List.of(dir.toString());
  }

  private RkeRun launch(Path dir, Path clusterYml, String text) {
    Path logFile = dir.resolve(LOG_FILE);
    try {
      PrivateFiles.createDirectories(dir);
      PrivateFiles.write(clusterYml, text);
      // A kubeconfig left by an earlier run must not pass for this run's.
      Files.deleteIfExists(dir.resolve(KUBECONFIG_FILE));
      PrivateFiles.write(logFile, "");
    } catch (IOException | UncheckedIOException e) {
      throw new TerminalFailure(
          "RKE_WORK_DIR", "cannot write " + clusterYml + " (mesh.rke.work-dir): " + e, e);
    }
    Process process;
    try {
      process =
          new ProcessBuilder(executable, "up", "--config", clusterYml.toString())
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
    try {
      PrivateFiles.write(dir.resolve(PID_FILE), process.pid() + "\n");
    } catch (IOException e) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      throw new TerminalFailure(
          "RKE_WORK_DIR", "cannot write the pid file in " + dir + " (mesh.rke.work-dir): " + e, e);
    }
    log.info("started {} up --config {} (pid {})", executable, clusterYml, process.pid());
    return RkeRun.started(dir, process, text, summaryLines);
  }

  /** The run named by the cluster's pid file, if there is one and it is really {@code rke up}. */
  private RkeRun fromPidFile(Path dir, Path clusterYml) {
    Path pidFile = dir.resolve(PID_FILE);
    try {
      if (!Files.isRegularFile(pidFile)) {
        return null;
      }
      long pid = Long.parseLong(Files.readString(pidFile, StandardCharsets.UTF_8).strip());
      // cluster.yml is written just before a run starts (the pid file only after it started)
      FileTime launched =
          Files.getLastModifiedTime(Files.exists(clusterYml) ? clusterYml : pidFile);
      String ran =
          Files.exists(clusterYml) ? Files.readString(clusterYml, StandardCharsets.UTF_8) : "";
      Optional<ProcessHandle> alive = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
      if (alive.isPresent() && !runs(alive.get(), clusterYml)) {
        // The pid was reused by another program: the run it named ended long ago.
        log.info("pid {} of {} is another program now; the earlier rke up ended", pid, pidFile);
        alive = Optional.empty();
      }
      alive.ifPresent(
          p -> log.info("rke up pid {} for {} still runs from before a restart", pid, clusterYml));
      return RkeRun.found(dir, pid, alive.orElse(null), launched, ran, summaryLines);
    } catch (IOException | NumberFormatException e) {
      log.warn("ignoring unreadable pid file {}: {}", pidFile, e.toString());
      return null;
    }
  }

  private static boolean runs(ProcessHandle process, Path clusterYml) {
    ProcessHandle.Info info = process.info();
    Optional<String> commandLine =
        info.commandLine().or(() -> info.arguments().map(args -> String.join(" ", args)));
    return commandLine.map(c -> c.contains(clusterYml.toString())).orElse(false);
  }

  /** One caller's view of a run: whether it deploys the caller's plan. */
  private record Handle(RkeRun run, boolean deploysPlan) implements DeployRun {
    @Override
    public boolean finished() {
      return run.finished();
    }

    @Override
    public Kubeconfig result() {
      RkeRun.Verdict verdict = run.verdict();
      if (verdict.failure() != null) {
        throw verdict.failure();
      }
      return verdict.kubeconfig();
    }

    @Override
    public void onExit(Runnable callback) {
      run.onExit(callback);
    }

    @Override
    public Instant startedAt() {
      return run.startedAt();
    }

    @Override
    public boolean resumed() {
      return run.resumed();
    }

    @Override
    public void kill() {
      run.kill();
    }

    @Override
    public String describe() {
      return "rke up pid " + run.pid();
    }
  }
}
