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
 * follow (an immutable field, the node count, a cluster left out without {@code --prune}) is
 * rejected (2) and nothing is sent. Clusters built already for the same spec are left alone by the
 * services, so an added cluster is built and connected and nothing else happens to the others. With
 * {@code --prune}, clusters left out are deleted once the mesh without them is ready ({@link
 * Prune}).
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

  @Option(
      names = "--prune",
      description =
          "Delete the clusters of the mesh that the file leaves out: first the mesh without them"
              + " is connected and validated, then each is deleted (its stack, the pairs the mesh"
              + " added, RKE state and secrets). Without it, such a file is refused (exit 2).")
  boolean prune;

  @Mixin SandboxLatencyOption sandboxLatency;

  @Mixin SandboxRateLimitOption sandboxRateLimit;

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
    if (sandboxRateLimit.given()) {
      if (bus.local()) {
        progress.println("meshctl: sandbox rate limits " + sandboxRateLimit.limits());
      } else {
        progress.println(
            "meshctl: --sandbox-rate-limit ignored: it applies to local mode started by this"
                + " command (give it to meshctl serve instead)");
      }
    }
    try (MeshBus mesh = bus.withServices(latencies, sandboxRateLimit::applyTo);
        EventFollower follower = new EventFollower(mesh.bootstrapServers(), Topics.ALL, false)) {
      HistoryCheck.Verdict verdict =
          HistoryCheck.check(mesh.bootstrapServers(), parsed, progress, prune);
      List<MeshChanges.Change> changes = verdict.refused();
      if (!changes.isEmpty()) {
        if (json) {
          System.out.println(Render.changesJson(parsed.meshId(), changes));
        }
        return Exit.REJECTED;
      }
      if (!verdict.pruned().isEmpty()) {
        progress.println(
            "mesh "
                + parsed.meshId()
                + ": "
                + String.join(", ", verdict.pruned())
                + " left out of the file: --prune deletes them once the mesh without them is"
                + " ready");
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
      if (!verdict.pruned().isEmpty()) {
        if (run.outcome() != MeshRun.Outcome.READY) {
          progress.println(
              "mesh "
                  + parsed.meshId()
                  + ": not pruning "
                  + String.join(", ", verdict.pruned())
                  + ": the mesh without them is not ready; they stay until up --prune succeeds");
        } else if (!Prune.run(
            mesh.bootstrapServers(),
            follower,
            parsed.meshId(),
            verdict.pruned(),
            Instant.now().plus(timeout),
            progress)) {
          return Exit.FAILED;
        }
      }
      return switch (run.outcome()) {
        case READY -> Exit.READY;
        case REJECTED -> Exit.REJECTED;
        case FAILED, IN_PROGRESS, DELETED -> Exit.FAILED;
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
