package io.meshorch.meshctl.cli;

import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.MeshRequested;
import io.meshorch.contracts.Topics;
import io.meshorch.meshctl.follow.EventFollower;
import io.meshorch.meshctl.follow.LastRequest;
import io.meshorch.meshctl.spec.MeshChanges;
import io.meshorch.meshctl.spec.MeshFile;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The comparison of a mesh file with its mesh's last accepted request, shared by up and validate.
 */
final class HistoryCheck {
  private HistoryCheck() {}

  /**
   * What the file changes that the mesh, as last requested, cannot follow (read from the history
   * before anything is published); printed on {@code progress}, one line each. Empty for a new or
   * deleted mesh, or when only clusters are added.
   */
  static List<MeshChanges.Change> changes(
      String bootstrapServers, MeshFile.Parsed parsed, PrintStream progress) {
    if (parsed.meshId() == null) {
      return List.of(); // no mesh to compare with: the validator names the missing field
    }
    Optional<EventEnvelope> last;
    try (EventFollower history = new EventFollower(bootstrapServers, Topics.ALL, true)) {
      last = LastRequest.of(history.readToEnd(Duration.ofSeconds(60)), parsed.meshId());
    }
    if (last.isEmpty()) {
      return List.of();
    }
    List<MeshChanges.Change> changes =
        MeshChanges.compare(
            parsed.meshId(), (MeshRequested) last.get().payload(), parsed.request());
    if (!changes.isEmpty()) {
      progress.println(
          "mesh "
              + parsed.meshId()
              + ": the file changes what the running mesh keeps (compared with its last request,"
              + " event "
              + last.get().eventId()
              + " of "
              + last.get().occurredAt()
              + "); nothing was sent:");
      changes.forEach(c -> progress.println("  " + c.line()));
    }
    return changes;
  }
}
