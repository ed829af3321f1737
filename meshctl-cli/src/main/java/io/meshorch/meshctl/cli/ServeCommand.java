package io.meshorch.meshctl.cli;

import io.meshorch.meshctl.bench.Bench;
import io.meshorch.meshctl.local.DataDirLock;
import io.meshorch.meshctl.local.LocalDashboard;
import io.meshorch.meshctl.local.LocalStack;
import io.meshorch.meshctl.local.ServeFile;
import io.meshorch.sandbox.core.SandboxLatencies;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code meshctl serve}: local mode (the embedded broker, the five services, the sandbox cloud) as
 * a standing platform, until Ctrl-C or SIGTERM. Once ready it writes {@link ServeFile} into the
 * data folder; {@code up}, {@code status} and {@code watch} given no {@code --bootstrap-server}
 * find it there and act as clients of its broker. One {@code serve} per data folder ({@link
 * DataDirLock}).
 */
@Command(
    name = "serve",
    description = {
      "Run local mode (an embedded Kafka broker, the five services, the sandbox cloud, the live"
          + " dashboard) until Ctrl-C or SIGTERM.",
      "Once ready it writes <data-dir>/serve.json; up, status and watch without"
          + " --bootstrap-server then use this platform instead of starting local mode for one"
          + " command. Exit codes: 0 stopped on request, 1 another local mode (a serve, or a"
          + " command's own) holds the data folder"
          + " or the start failed."
    })
public final class ServeCommand implements Callable<Integer> {
  /** How long the services' consumers may take to be assigned once their contexts started. */
  private static final Duration ASSIGNED_TIMEOUT = Duration.ofMinutes(2);

  @Option(
      names = "--data-dir",
      defaultValue = "${env:MESHCTL_HOME:-.meshctl}",
      description =
          "Local mode's folder: Kafka log, secrets, keys, logs, serve.json (default:"
              + " ${DEFAULT-VALUE}).")
  Path dataDir;

  @Mixin SandboxLatencyOption sandboxLatency;

  @Mixin SandboxRateLimitOption sandboxRateLimit;

  @Option(
      names = "--dashboard-port",
      defaultValue = "0",
      paramLabel = "PORT",
      description =
          "Port of the live dashboard on 127.0.0.1 (default: a free port; its URL is printed).")
  int dashboardPort;

  /** Set by the stop hook; guarded by {@code this}. */
  private boolean stopping;

  /** Set when the services did not become ready; guarded by {@code this}. */
  private boolean startFailed;

  @Override
  public Integer call() throws Exception {
    Path dir = dataDir.toAbsolutePath().normalize();
    SandboxLatencies latencies = sandboxLatency.latencies();
    List<SandboxRateLimitOption.Limit> rateLimits = sandboxRateLimit.limits();
    Optional<DataDirLock> acquired = DataDirLock.tryAcquire(dir, "serve");
    if (acquired.isEmpty()) {
      System.err.println("meshctl serve: " + DataDirLock.describeHolder(dir));
      return Exit.FAILED;
    }
    DataDirLock lock = acquired.get();
    PrintStream err = System.err;
    err.println(
        "meshctl serve: starting local mode in "
            + dir
            + " (Kafka, the five services, the sandbox cloud; sandbox latencies "
            + latencies.describe()
            + (rateLimits.isEmpty() ? "" : "; rate limits " + rateLimits)
            + ")...");
    long t0 = System.nanoTime();
    // A stop before the services exist is the JVM's default: nothing to close but the contexts that
    // Spring's own shutdown hooks close, and the lock goes with the process.
    LocalStack stack;
    try {
      stack = LocalStack.start(dir, true, latencies);
      try {
        sandboxRateLimit.applyTo(stack.cloud());
      } catch (RuntimeException e) {
        stack.close();
        throw e;
      }
    } catch (RuntimeException e) {
      lock.close();
      throw e;
    }
    LocalDashboard dashboard;
    try {
      dashboard = LocalDashboard.start(stack.bootstrapServers(), dashboardPort, dir);
    } catch (RuntimeException e) {
      stack.close();
      lock.close();
      throw e;
    }
    Runtime.getRuntime()
        .addShutdownHook(new Thread(() -> stop(stack, dashboard, lock, dir), "meshctl-serve-stop"));
    ServeFile serve;
    // Ready means consuming: a request published from now on is taken at once.
    try {
      Bench.awaitConsumersAssigned(stack.bootstrapServers(), ASSIGNED_TIMEOUT);
    } catch (Exception e) {
      synchronized (this) {
        startFailed = true; // exit 1: the stop hook closes what started and keeps that status
      }
      throw e;
    }
    synchronized (this) {
      serve =
          new ServeFile(
              stack.bootstrapServers(),
              ProcessHandle.current().pid(),
              Instant.now(),
              dir.resolve("logs").resolve("meshctl.log"),
              dir);
      if (stopping) {
        return Exit.READY; // the stop hook ends the process
      }
      serve.write();
    }
    PrintStream out = System.out;
    out.printf(
        Locale.ROOT,
        "meshctl serve: ready after %.1f s (pid %d)%n",
        (System.nanoTime() - t0) / 1e9,
        serve.pid());
    out.println("  dashboard:       " + dashboard.url());
    out.println("  Kafka bootstrap: " + serve.bootstrapServers());
    out.println("  logs:            " + serve.log());
    out.println("  serve file:      " + ServeFile.path(dir));
    out.println(
        "  meshes:          ./meshctl up -f FILE"
            + (isDefaultDataDir(dir) ? "" : " --data-dir " + dir)
            + " (also status, watch)");
    out.println("Ctrl-C or SIGTERM stops it.");
    out.flush();
    new CountDownLatch(1).await(); // until the stop hook ends the process
    return Exit.READY;
  }

  /**
   * The stop on Ctrl-C or SIGTERM: the services stop as on any graceful stop (steps in flight are
   * resumed by their next start), then the sandbox and the broker; the serve file goes, and the
   * process ends with 0, since a stop on request is how {@code serve} is meant to end (the JVM's
   * own exit status after a signal would be 128 + signal; {@link Runtime#halt} is the only way to
   * set another one once shutdown has begun, and it runs after everything was closed).
   */
  private void stop(LocalStack stack, LocalDashboard dashboard, DataDirLock lock, Path dir) {
    int status;
    synchronized (this) {
      stopping = true; // no serve file is written from now on
      status = startFailed ? Exit.FAILED : Exit.READY;
    }
    System.err.println("meshctl serve: stopping (dashboard, services, sandbox, broker)...");
    try {
      try {
        dashboard.close();
      } finally {
        stack.close();
      }
    } catch (RuntimeException e) {
      System.err.println("meshctl serve: stop failed: " + e);
      status = Exit.FAILED;
    } finally {
      try {
        deleteUnpackedNativeLibraries();
        ServeFile.delete(dir);
        lock.close();
      } catch (RuntimeException e) {
        System.err.println("meshctl serve: " + e.getMessage());
      }
    }
    System.err.println("meshctl serve: stopped");
    System.err.flush();
    System.out.flush();
    Runtime.getRuntime().halt(status);
  }

  /**
   * Deletes the native libraries this process unpacked into the JVM's temporary folder and loaded
   * (found in {@code /proc/self/maps}; nothing off Linux): helm-java's, 94 MB in a folder of its
   * own, and JNA's. They are marked deleteOnExit, which the {@link Runtime#halt} that ends serve
   * skips, so every serve left them in /tmp. Only a library file lying in the temporary folder or
   * in a folder directly below it goes, and that folder only once it is empty.
   */
  static void deleteUnpackedNativeLibraries() {
    Path tmp = Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath().normalize();
    Path javaHome = Path.of(System.getProperty("java.home")).toAbsolutePath().normalize();
    if (tmp.getNameCount() == 0 || javaHome.startsWith(tmp)) {
      return;
    }
    Set<Path> unpacked = new TreeSet<>();
    try (Stream<String> maps = Files.lines(Path.of("/proc/self/maps"))) {
      maps.filter(line -> line.contains("/") && line.endsWith(".so"))
          .map(line -> Path.of(line.substring(line.indexOf('/'))))
          .filter(lib -> tmp.equals(lib.getParent()) || tmp.equals(lib.getParent().getParent()))
          .forEach(unpacked::add);
    } catch (IOException | RuntimeException e) {
      return;
    }
    for (Path lib : unpacked) {
      try {
        Files.deleteIfExists(lib);
        Path folder = lib.getParent();
        if (!folder.equals(tmp)) {
          try (Stream<Path> left = Files.list(folder)) {
            if (left.findAny().isEmpty()) {
              Files.delete(folder);
            }
          }
        }
      } catch (IOException | UncheckedIOException e) {
        System.err.println("meshctl serve: cannot delete " + lib + ": " + e.getMessage());
      }
    }
  }

  private static boolean isDefaultDataDir(Path dir) {
    String home = System.getenv("MESHCTL_HOME");
    Path def = Path.of(home == null || home.isBlank() ? ".meshctl" : home);
    try {
      return Files.exists(def) && Files.isSameFile(def, dir);
    } catch (IOException e) {
      return false;
    }
  }
}
