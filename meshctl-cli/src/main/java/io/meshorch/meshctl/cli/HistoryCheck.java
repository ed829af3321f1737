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
   * What the comparison decided.
   *
   * @param refused the changes the mesh cannot follow: nothing may be sent
   * @param pruned the clusters of the last request that the file leaves out and that {@code
   *     --prune} deletes (empty without {@code --prune}: then they are refused)
   */
  record Verdict(List<MeshChanges.Change> refused, List<String> pruned) {}

  /**
   * What the file changes that the mesh, as last requested, cannot follow (read from the history
   * before anything is published); printed on {@code progress}, one line each. Empty for a new or
   * deleted mesh, or when only clusters are added.
   */
  static List<MeshChanges.Change> changes(
      String bootstrapServers, MeshFile.Parsed parsed, PrintStream progress) {
    return check(bootstrapServers, parsed, progress, false).refused();
  }

  /**
   * As {@link #changes}; with {@code prune}, clusters left out of the file are not refused but
   * returned as {@link Verdict#pruned()} (unless another change is refused: then nothing is pruned
   * either, and the removals are listed with the refusals).
   */
  static Verdict check(
      String bootstrapServers, MeshFile.Parsed parsed, PrintStream progress, boolean prune) {
    if (parsed.meshId() == null) {
      return new Verdict(List.of(), List.of()); // no mesh to compare with: the validator says why
    }
    Optional<EventEnvelope> last;
    try (EventFollower history = new EventFollower(bootstrapServers, Topics.ALL, true)) {
      last = LastRequest.of(history.readToEnd(Duration.ofSeconds(60)), parsed.meshId());
    }
    if (last.isEmpty()) {
      return new Verdict(List.of(), List.of());
    }
    List<MeshChanges.Change> changes =
        MeshChanges.compare(
            parsed.meshId(), (MeshRequested) last.get().payload(), parsed.request());
    List<MeshChanges.Change> others = changes.stream().filter(c -> c.field() != null).toList();
    if (prune && others.isEmpty()) {
      return new Verdict(
          List.of(), changes.stream().map(MeshChanges.Change::cluster).distinct().toList());
    }
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
    return new Verdict(changes, List.of());
  }
}
