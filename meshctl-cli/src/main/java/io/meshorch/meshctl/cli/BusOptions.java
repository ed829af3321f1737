package io.meshorch.meshctl.cli;

import io.meshorch.meshctl.local.DataDirLock;
import io.meshorch.meshctl.local.LocalStack;
import io.meshorch.meshctl.local.ServeFile;
import io.meshorch.meshctl.local.ServeLookup;
import io.meshorch.sandbox.core.SandboxLatencies;
import io.meshorch.sandbox.openstack.SandboxCloud;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Where to find the mesh bus: a Kafka cluster, a running {@code meshctl serve} of the data folder,
 * or local mode started for this one command.
 */
public final class BusOptions {
  @Option(
      names = "--bootstrap-server",
      defaultValue = "${env:MESH_KAFKA_BOOTSTRAP}",
      description =
          "Kafka brokers running the services (host:port). Default: the 'meshctl serve' of the"
              + " data folder when one runs, otherwise local mode with an embedded broker, the"
              + " services and the sandbox cloud in this process (env MESH_KAFKA_BOOTSTRAP).")
  String bootstrapServers;

  @Option(
      names = "--data-dir",
      defaultValue = "${env:MESHCTL_HOME:-.meshctl}",
      description =
          "Local mode's folder: Kafka log, secrets, keys, logs, serve.json (default:"
              + " ${DEFAULT-VALUE}).")
  Path dataDir;

  @Spec(Spec.Target.MIXEE)
  CommandSpec spec;

  private Target target;

  /** Which bus a command uses. */
  enum Kind {
    /** The Kafka cluster of {@code --bootstrap-server}. */
    REMOTE,
    /** The broker of a running {@code meshctl serve}. */
    SERVE,
    /** Local mode, started by this command and stopped when it ends. */
    LOCAL
  }

  /**
   * Where a command goes.
   *
   * @param bootstrapServers the brokers (null for {@link Kind#LOCAL}: known once started)
   * @param notes what to tell the user (on stderr), the last line saying which bus is used
   */
  record Target(Kind kind, String bootstrapServers, List<String> notes) {}

  /**
   * Decides where a command goes: {@code --bootstrap-server} when given, else the serve of {@code
   * dataDir} when {@code lookup} finds it running, else local mode (a stale serve file noted).
   */
  static Target resolve(String bootstrapServers, Path dataDir, Function<Path, ServeLookup> lookup) {
    if (bootstrapServers != null && !bootstrapServers.isBlank()) {
      return new Target(
          Kind.REMOTE, bootstrapServers, List.of("meshctl: using Kafka at " + bootstrapServers));
    }
    List<String> notes = new ArrayList<>();
    ServeLookup found = lookup.apply(dataDir);
    if (found instanceof ServeLookup.Running running) {
      ServeFile serve = running.serve();
      return new Target(
          Kind.SERVE,
          serve.bootstrapServers(),
          List.of(
              "meshctl: using meshctl serve (pid "
                  + serve.pid()
                  + ", Kafka at "
                  + serve.bootstrapServers()
                  + ", logs in "
                  + serve.log()
                  + ")"));
    }
    if (found instanceof ServeLookup.Stale stale) {
      notes.add("meshctl: ignoring " + stale.file() + ": " + stale.reason());
    }
    notes.add(
        "meshctl: local mode in "
            + dataDir.toAbsolutePath().normalize()
            + " for this command (no running meshctl serve found)");
    return new Target(Kind.LOCAL, null, List.copyOf(notes));
  }

  /** Where this command goes; decided (and said on stderr) once, on the first call. */
  Target target() {
    if (target == null) {
      target = resolve(bootstrapServers, dataDir, ServeFile::find);
      target.notes().forEach(System.err::println);
    }
    return target;
  }

  /** True when this command starts local mode itself. */
  boolean local() {
    return target().kind() == Kind.LOCAL;
  }

  /**
   * The brokers of {@code --bootstrap-server} or of a running {@code serve} (said on stderr), or
   * empty when only local mode could give a bus: for a command that reads history only when a bus
   * runs, and never starts one.
   */
  Optional<String> running() {
    Target t = resolve(bootstrapServers, dataDir, ServeFile::find);
    if (t.kind() == Kind.LOCAL) {
      return Optional.empty();
    }
    t.notes().forEach(System.err::println);
    return Optional.of(t.bootstrapServers());
  }

  /** The bus with services (starting local mode when there is nothing to connect to). */
  MeshBus withServices() {
    return withServices(LocalStack.DEFAULT_LATENCIES);
  }

  /** The bus with services; local mode's sandbox takes {@code latencies}. */
  MeshBus withServices(SandboxLatencies latencies) {
    return withServices(latencies, cloud -> {});
  }

  /**
   * The bus with services; local mode's sandbox takes {@code latencies}, and its cloud is handed to
   * {@code cloudSetup} once it runs (e.g. for rate limits).
   */
  MeshBus withServices(SandboxLatencies latencies, Consumer<SandboxCloud> cloudSetup) {
    Target t = target();
    return t.kind() == Kind.LOCAL
        ? locked(
            () -> {
              LocalStack stack = LocalStack.start(dataDir, true, latencies);
              try {
                cloudSetup.accept(stack.cloud());
              } catch (RuntimeException e) {
                stack.close();
                throw e;
              }
              return stack;
            })
        : MeshBus.remote(t.bootstrapServers());
  }

  /** The bus for reading only (local mode starts the broker alone, to read its history). */
  MeshBus forReading() {
    Target t = target();
    return t.kind() == Kind.LOCAL
        ? locked(() -> LocalStack.start(dataDir, false))
        : MeshBus.remote(t.bootstrapServers());
  }

  /**
   * Local mode for this command, holding the data folder's lock while it runs: a {@code serve} (or
   * another command's local mode) that holds it already is named instead of sharing its files.
   */
  private MeshBus locked(Supplier<LocalStack> start) {
    DataDirLock lock = DataDirLock.acquire(dataDir, spec == null ? "" : spec.name());
    LocalStack stack;
    try {
      stack = start.get();
    } catch (RuntimeException e) {
      lock.close();
      throw e;
    }
    return new MeshBus() {
      @Override
      public String bootstrapServers() {
        return stack.bootstrapServers();
      }

      @Override
      public void close() {
        try {
          stack.close();
        } finally {
          lock.close();
        }
      }
    };
  }
}
