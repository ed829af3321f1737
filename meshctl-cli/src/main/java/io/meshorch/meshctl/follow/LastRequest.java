package io.meshorch.meshctl.follow;

import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.MeshDeleted;
import io.meshorch.contracts.MeshRejected;
import io.meshorch.contracts.MeshRequested;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The mesh as it was last requested, read from the event history: its latest {@link MeshRequested}
 * that was not answered by a {@link MeshRejected} (matched by the rejection's {@code causationId};
 * one without it answers the latest request before it). A {@link MeshDeleted} ends the mesh: the
 * requests before it no longer count.
 */
public final class LastRequest {
  private LastRequest() {}

  /**
   * The envelope of the mesh's last accepted request, if the mesh exists.
   *
   * @param history events of any meshes, oldest first (as {@link EventFollower#readToEnd} returns)
   * @param meshId the mesh
   */
  public static Optional<EventEnvelope> of(List<EventEnvelope> history, String meshId) {
    Set<UUID> rejected = new HashSet<>();
    for (EventEnvelope e : history) {
      if (meshId.equals(e.meshId())
          && e.payload() instanceof MeshRejected
          && e.causationId() != null) {
        rejected.add(e.causationId());
      }
    }
    List<EventEnvelope> accepted = new ArrayList<>();
    for (EventEnvelope e : history) {
      if (!meshId.equals(e.meshId())) {
        continue;
      }
      if (e.payload() instanceof MeshRequested && !rejected.contains(e.eventId())) {
        accepted.add(e);
      } else if (e.payload() instanceof MeshRejected
          && e.causationId() == null
          && !accepted.isEmpty()) {
        accepted.remove(accepted.size() - 1);
      } else if (e.payload() instanceof MeshDeleted) {
        accepted.clear();
      }
    }
    return accepted.isEmpty() ? Optional.empty() : Optional.of(accepted.get(accepted.size() - 1));
  }
}
