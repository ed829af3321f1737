package io.meshorch.meshctl.cli;

import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.Topics;
import io.meshorch.meshctl.follow.EventFollower;
import io.meshorch.meshctl.follow.MeshRun;
import io.meshorch.meshctl.follow.Render;
import io.meshorch.meshctl.local.LocalStack;
import io.meshorch.meshctl.spec.MeshChanges;
import io.meshorch.meshctl.spec.MeshFile;
import io.meshorch.sandbox.core.SandboxLatencies;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code meshctl up -f mesh.yaml}: publishes {@code MeshRequested} and follows the mesh until it is
 * ready (exit 0), failed (1) or rejected (2). Before publishing, it compares the file with the
 * mesh's last accepted request in the history ({@link MeshChanges}): a change a running mesh cannot
 * follow (an immutable field, the node count, a cluster left out) is rejected (2) and nothing is
 * sent.
 */
@Command(
    name = "up",
    description = "Build (or converge) the mesh described by a mesh file and follow it to the end.")
public final class UpCommand implements Callable<Integer> {
  @Option(
      names = {"-f", "--file"},
      required = true,
      description = "The mesh file (YAML).")
  Path file;

  @Option(
      names = {"-o", "--output"},
      defaultValue = "text",
      description =
          "text (progress and a table) or json (progress on stderr, status as JSON on stdout).")
  String output;

  @Option(
      names = "--timeout",
      defaultValue = "PT60M",
      description = "Give up following after this long (ISO-8601, default ${DEFAULT-VALUE}).")
  Duration timeout;

  @Mixin SandboxLatencyOption sandboxLatency;

  @Mixin BusOptions bus;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    boolean json = "json".equalsIgnoreCase(output);
    PrintStream progress = json ? System.err : System.out;
    SandboxLatencies latencies = latencies(progress);
    MeshFile.Parsed parsed = MeshFile.read(file);
    if (!parsed.problems().isEmpty()) {
      progress.println(file + " is not a valid mesh file:");
      progress.println(Render.violations(parsed.problems()));
      return Exit.REJECTED;
    }
    if (bus.local() && sandboxLatency.given()) {
      progress.println("meshctl: sandbox latencies " + latencies.describe());
    }
    try (MeshBus mesh = bus.withServices(latencies);
        EventFollower follower = new EventFollower(mesh.bootstrapServers(), Topics.ALL, false)) {
      List<MeshChanges.Change> changes =
          HistoryCheck.changes(mesh.bootstrapServers(), parsed, progress);
      if (!changes.isEmpty()) {
        if (json) {
          System.out.println(Render.changesJson(parsed.meshId(), changes));
        }
        return Exit.REJECTED;
      }
      EventEnvelope request =
          EventEnvelope.create(parsed.meshId(), null, null, "meshctl", parsed.request());
      RequestPublisher.publish(mesh.bootstrapServers(), request);
      progress.println(
          "mesh "
              + parsed.meshId()
              + ": requested "
              + parsed.request().clusters().size()
              + " clusters (event "
              + request.eventId()
              + ")");
      MeshRun run = follow(follower, request, progress);
      if (json) {
        System.out.println(Render.json(run));
      } else {
        System.out.print(Render.summary(run));
      }
      return switch (run.outcome()) {
        case READY -> Exit.READY;
        case REJECTED -> Exit.REJECTED;
        case FAILED, IN_PROGRESS -> Exit.FAILED;
      };
    }
  }

  /** The sandbox's latencies from {@code --sandbox-latency}; a bad spec is a usage error. */
  private SandboxLatencies latencies(PrintStream progress) {
    if (!sandboxLatency.given()) {
      return LocalStack.DEFAULT_LATENCIES;
    }
    if (!bus.local()) {
      progress.println(
          "meshctl: --sandbox-latency ignored: it applies to local mode started by this command"
              + " (give it to meshctl serve instead)");
      return LocalStack.DEFAULT_LATENCIES;
    }
    return sandboxLatency.latencies();
  }

  private MeshRun follow(EventFollower follower, EventEnvelope request, PrintStream progress) {
    String meshId = request.meshId();
    MeshRun run = new MeshRun(meshId);
    run.apply(request);
    Instant deadline = Instant.now().plus(timeout);
    while (run.outcome() == MeshRun.Outcome.IN_PROGRESS && Instant.now().isBefore(deadline)) {
      for (EventEnvelope event : follower.poll(Duration.ofMillis(250))) {
        if (meshId.equals(event.meshId())) {
          run.apply(event);
          progress.println(Render.line(event));
        }
      }
    }
    if (run.outcome() == MeshRun.Outcome.IN_PROGRESS) {
      progress.println(
          "mesh " + meshId + ": still in progress after " + timeout + ", giving up following");
    }
    return run;
  }
}
