package io.meshorch.restart;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One of the five services as its own JVM: {@code java -jar <service>-exec.jar} with the sandbox's
 * settings, started, killed (SIGKILL), stopped (SIGTERM) and started again. Each incarnation logs
 * to its own file. The {@link Process} is the service's JVM itself (no shell in between), so a
 * signal reaches exactly that JVM and no child of it (a running {@code rke up} survives, as it
 * would on a host).
 */
final class ServiceJvm {
  /** JVM options of every service JVM: only start-up speed, no behaviour of the service. */
  static final List<String> JVM_OPTIONS =
      List.of("-XX:TieredStopAtLevel=1", "-XX:CICompilerCount=1", "-XX:+UseSerialGC");

  private final String name;
  private final Path jar;
  private final List<String> arguments;
  private final Path logDir;
  private final List<Path> logs = new ArrayList<>();
  private final List<ProcessHandle> leftChildren = new ArrayList<>();
  private volatile Process process;
  private String group;

  ServiceJvm(String name, Path jar, List<String> arguments, Path logDir) {
    this.name = name;
    this.jar = jar;
    this.arguments = List.copyOf(arguments);
    this.logDir = logDir;
  }

  /** The service's name, e.g. {@code infra-service}. */
  String name() {
    return name;
  }

  /** The consumer group of the running incarnation. */
  String group() {
    return group;
  }

  /** Every log file so far, one per incarnation. */
  List<Path> logs() {
    return List.copyOf(logs);
  }

  /** The service JVMs' temporary folder, beside their logs. */
  private Path tmpDir() {
    return logDir.resolveSibling("tmp");
  }

  /** Whether the current incarnation runs. */
  boolean alive() {
    return process != null && process.isAlive();
  }

  /** Starts a new incarnation in consumer group {@code group} (the service's name by default). */
  synchronized void start(String group) {
    if (alive()) {
      throw new IllegalStateException(name + " already runs (pid " + process.pid() + ")");
    }
    this.group = group;
    List<String> command = new ArrayList<>();
    command.add(javaExecutable());
    command.addAll(JVM_OPTIONS);
    // A killed JVM runs no deleteOnExit: what it unpacked (helm-java's 94 MB native library,
    // Vert.x's cache) stays behind. Here it stays in the suite's folder, not the machine's /tmp.
    command.add("-Djava.io.tmpdir=" + tmpDir());
    command.add("-jar");
    command.add(jar.toString());
    command.addAll(arguments);
    if (!group.equals(name)) {
      command.add("--mesh.service.group=" + group);
    }
    Path log = logDir.resolve(name + "-" + (logs.size() + 1) + ".log");
    try {
      Files.createDirectories(logDir);
      Files.createDirectories(tmpDir());
      Files.writeString(log, String.join(" ", command) + System.lineSeparator());
      process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name, e);
    }
    logs.add(log);
  }

  /**
   * SIGKILL to the service's JVM ({@link Process#destroyForcibly()} on Linux); returns the instant
   * just before the signal, once the JVM is gone.
   */
  Instant kill() {
    return signal(true);
  }

  /**
   * SIGTERM to the service's JVM ({@link Process#destroy()} on Linux): a graceful stop; returns the
   * instant just before the signal, once the JVM has exited.
   */
  Instant stop() {
    return signal(false);
  }

  /** Sends SIGTERM without waiting; {@link #awaitExit()} waits. */
  synchronized Instant stopAsync() {
    requireRunning();
    process.descendants().forEach(leftChildren::add);
    Instant at = Instant.now();
    process.destroy();
    return at;
  }

  /** Waits (bounded) until the current incarnation has exited; returns its exit code. */
  int awaitExit() {
    try {
      // A graceful stop waits up to mesh.service.stop-grace (10 s) for step calls in progress.
      if (!process.waitFor(40, TimeUnit.SECONDS)) {
        throw new AssertionError(name + " (pid " + process.pid() + ") did not exit within 40 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted waiting for " + name, e);
    }
    return process.exitValue();
  }

  private synchronized Instant signal(boolean forcibly) {
    requireRunning();
    // What the JVM started (a running rke up) outlives it, as it would on a host.
    process.descendants().forEach(leftChildren::add);
    Instant at = Instant.now();
    if (forcibly) {
      process.destroyForcibly();
    } else {
      process.destroy();
    }
    int exit = awaitExit();
    // 128 + signal number: the JVM died of SIGKILL (9), or ran its shutdown on SIGTERM (15).
    if (forcibly) {
      assertThat(exit).as("exit code of %s after SIGKILL", name).isEqualTo(137);
    } else {
      assertThat(exit).as("exit code of %s after SIGTERM", name).isEqualTo(143);
    }
    return at;
  }

  private void requireRunning() {
    if (!alive()) {
      throw new IllegalStateException(name + " does not run");
    }
    // The process is the JVM running the service's jar, not a wrapper around it.
    String commandLine = process.info().commandLine().orElse("");
    assertThat(commandLine).as("command line of pid %d", process.pid()).contains(jar.toString());
  }

  /**
   * Ends the current incarnation for good (cleanup), and what earlier incarnations left running (an
   * {@code rke up} outlives a stopped rke-service; it normally ends on its own long before).
   */
  synchronized void destroy() {
    leftChildren.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    if (process != null && process.isAlive()) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** The last {@code lines} lines of the current log, for a failure report. */
  String tail(int lines) {
    if (logs.isEmpty()) {
      return "";
    }
    try {
      List<String> all = Files.readAllLines(logs.get(logs.size() - 1));
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException | UncheckedIOException e) {
      return "(cannot read " + logs.get(logs.size() - 1) + ": " + e + ")";
    }
  }

  /** The {@code java} of this test JVM, so the services run on the same JDK. */
  static String javaExecutable() {
    return ProcessHandle.current()
        .info()
        .command()
        .orElseGet(() -> Path.of(System.getProperty("java.home"), "bin", "java").toString());
  }

  /** {@code --key=value} for each setting, in a stable order. */
  static List<String> asArguments(Map<String, String> settings) {
    return settings.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .map(e -> "--" + e.getKey() + "=" + e.getValue())
        .toList();
  }

  /** How long {@code from} to {@code to} took, for the report. */
  static String seconds(Instant from, Instant to) {
    return String.format(
        java.util.Locale.ROOT, "%.1f s", Duration.between(from, to).toMillis() / 1000.0);
  }
}
