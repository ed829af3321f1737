package io.meshorch.meshctl.cli;

import io.meshorch.contracts.ClusterDeleted;
import io.meshorch.contracts.ClusterFailed;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.MeshDeleteRequested;
import io.meshorch.contracts.MeshDeleted;
import io.meshorch.contracts.MeshFailed;
import io.meshorch.contracts.ProgressReported;
import io.meshorch.contracts.Stage;
import io.meshorch.contracts.StepStarted;
import io.meshorch.contracts.Topics;
import io.meshorch.meshctl.follow.EventFollower;
import io.meshorch.meshctl.spec.MeshFile;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code meshctl down MESH} (or {@code -f mesh.yaml}): publishes {@code MeshDeleteRequested} and
 * follows the deletion until {@code MeshDeleted} (exit 0, what was deleted is printed; an unknown
 * or already deleted mesh is a no-op that says so) or a {@code MeshFailed} of stage {@code delete}
 * (exit 1, the cluster, code and cause).
 */
@Command(
    name = "down",
    description =
        "Delete a whole mesh (Heat stacks, the pairs the mesh added, RKE state, kubeconfigs, CA"
            + " and keys) and follow the deletion to its end.")
public final class DownCommand implements Callable<Integer> {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  /** The mesh, by ID or from its mesh file. */
  static final class Target {
    @Parameters(index = "0", paramLabel = "MESH", description = "The mesh ID.")
    String meshId;

    @Option(
        names = {"-f", "--file"},
        description = "The mesh file (YAML) whose mesh to delete.")
    Path file;
  }

  @ArgGroup(exclusive = true, multiplicity = "1")
  Target target;

  @Option(
      names = {"-o", "--output"},
      defaultValue = "text",
      description = "text, or json (progress on stderr, the result as JSON on stdout).")
  String output;

  @Option(
      names = "--timeout",
      defaultValue = "PT60M",
      description = "Give up following after this long (ISO-8601, default ${DEFAULT-VALUE}).")
  Duration timeout;

  @Mixin BusOptions bus;

  @Override
  public Integer call() throws Exception {
    boolean json = "json".equalsIgnoreCase(output);
    PrintStream progress = json ? System.err : System.out;
    String meshId = target.meshId != null ? target.meshId : MeshFile.read(target.file).meshId();
    if (meshId == null || meshId.isBlank()) {
      progress.println(target.file + " names no mesh (field meshId)");
      return Exit.REJECTED;
    }
    if (bus.local()) {
      progress.println(
          "meshctl: starting local mode in "
              + bus.dataDir
              + " (Kafka, the five services, the sandbox cloud)...");
    }
    try (MeshBus mesh = bus.withServices();
        EventFollower follower = new EventFollower(mesh.bootstrapServers(), Topics.ALL, false)) {
      EventEnvelope request =
          EventEnvelope.create(meshId, null, null, "meshctl", new MeshDeleteRequested());
      RequestPublisher.publish(mesh.bootstrapServers(), request);
      progress.println("mesh " + meshId + ": delete requested (event " + request.eventId() + ")");
      EventEnvelope end = follow(follower, meshId, progress);
      if (json) {
        System.out.println(
            JSON.writerWithDefaultPrettyPrinter().writeValueAsString(doc(meshId, end)));
      } else {
        System.out.print(summary(meshId, end));
      }
      return end != null && end.payload() instanceof MeshDeleted ? Exit.READY : Exit.FAILED;
    }
  }

  /** Follows the mesh's events until its deletion ends; null when the timeout passed first. */
  private EventEnvelope follow(EventFollower follower, String meshId, PrintStream progress) {
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      for (EventEnvelope event : follower.poll(Duration.ofMillis(250))) {
        if (!meshId.equals(event.meshId())) {
          continue;
        }
        String line = line(event);
        if (line != null) {
          progress.println(line);
        }
        if (event.payload() instanceof MeshDeleted
            || (event.payload() instanceof MeshFailed f && Stage.DELETE.equals(f.stage()))) {
          return event;
        }
      }
    }
    progress.println(
        "mesh " + meshId + ": deletion still in progress after " + timeout + ", giving up");
    return null;
  }

  static String line(EventEnvelope event) {
    String who = event.cluster() == null ? "(mesh)" : event.cluster();
    String text;
    if (event.payload() instanceof StepStarted s && Stage.DELETE.equals(s.stage())) {
      text = event.producer() + " deleting";
    } else if (event.payload() instanceof ProgressReported p && Stage.DELETE.equals(p.stage())) {
      text = p.message();
    } else if (event.payload() instanceof ClusterDeleted d) {
      text = event.producer() + " deleted part " + d.part() + ": " + describe(d.deleted());
    } else if (event.payload() instanceof ClusterFailed f) {
      text = "ClusterFailed (stage " + f.stage() + ") [" + f.code() + "]: " + f.reason();
    } else if (event.payload() instanceof MeshFailed f) {
      text = "MeshFailed (stage " + f.stage() + ") [" + f.code() + "]: " + f.reason();
    } else if (event.payload() instanceof MeshDeleted) {
      text = "MeshDeleted";
    } else {
      return null;
    }
    return String.format("  %-10s %s", who, text);
  }

  private static String describe(List<ClusterDeleted.Resource> deleted) {
    if (deleted.isEmpty()) {
      return "nothing left";
    }
    return String.join(", ", deleted.stream().map(r -> r.kind() + " " + r.name()).toList());
  }

  private static String summary(String meshId, EventEnvelope end) {
    StringBuilder out = new StringBuilder();
    String nl = System.lineSeparator();
    if (end == null) {
      return out.append("mesh ")
          .append(meshId)
          .append(": NOT DELETED (timed out)")
          .append(nl)
          .toString();
    }
    if (end.payload() instanceof MeshFailed f) {
      out.append("mesh ").append(meshId).append(": DELETE FAILED").append(nl);
      out.append("  stage:   ").append(f.stage()).append(nl);
      out.append("  cluster: ").append(f.cluster() == null ? "-" : f.cluster()).append(nl);
      out.append("  cause:   [").append(f.code()).append("] ").append(f.reason()).append(nl);
      if (Boolean.TRUE.equals(f.retryable())) {
        out.append("  running down again may succeed").append(nl);
      }
      return out.toString();
    }
    MeshDeleted deleted = (MeshDeleted) end.payload();
    if (deleted.clusters().isEmpty()) {
      return out.append("mesh ")
          .append(meshId)
          .append(": nothing to delete (unknown, or deleted already)")
          .append(nl)
          .toString();
    }
    out.append("mesh ").append(meshId).append(": DELETED").append(nl);
    for (MeshDeleted.DeletedCluster c : deleted.clusters()) {
      out.append("  ").append(c.name()).append(":").append(nl);
      for (ClusterDeleted.Resource r : c.deleted()) {
        out.append("    ").append(r.kind()).append(" ").append(r.name()).append(nl);
      }
    }
    for (ClusterDeleted.Resource r : deleted.deleted()) {
      out.append("  (mesh) ").append(r.kind()).append(" ").append(r.name()).append(nl);
    }
    return out.toString();
  }

  private static Map<String, Object> doc(String meshId, EventEnvelope end) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("meshId", meshId);
    if (end == null) {
      doc.put("status", "IN_PROGRESS");
    } else if (end.payload() instanceof MeshFailed f) {
      doc.put("status", "FAILED");
      Map<String, Object> failure = new LinkedHashMap<>();
      failure.put("stage", f.stage());
      failure.put("cluster", f.cluster());
      failure.put("code", f.code());
      failure.put("reason", f.reason());
      failure.put("retryable", f.retryable());
      doc.put("failure", failure);
    } else {
      MeshDeleted deleted = (MeshDeleted) end.payload();
      doc.put("status", deleted.clusters().isEmpty() ? "NOTHING_TO_DELETE" : "DELETED");
      doc.put("clusters", deleted.clusters());
      doc.put("deleted", deleted.deleted());
    }
    return doc;
  }
}
