package io.meshorch.mesh.application;

import io.meshorch.contracts.ClusterDeleted;
import io.meshorch.contracts.MeshDeleted;
import io.meshorch.contracts.MeshFailed;
import io.meshorch.contracts.Stage;
import io.meshorch.kit.port.SecretStore;
import io.meshorch.kit.step.Next;
import io.meshorch.kit.step.Step;
import io.meshorch.kit.step.StepContext;
import io.meshorch.kit.step.StepEnd;
import io.meshorch.kit.step.Wait;
import io.meshorch.mesh.domain.MeshDeletions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * mesh-service's part of deleting a mesh, and its outcome: cancels the service's connect (or fail)
 * step of the mesh, waits (nudged by every {@code ClusterDeleted} or deletion failure, no thread
 * held) until every cluster of the mesh has its last part deleted ({@code ClusterDeleted} part
 * {@code kubernetes}), removes the mesh-level secrets (the mesh CA), then ends with {@link
 * MeshDeleted}, which merges the clusters' parts. The first deletion failure of a cluster since the
 * request ends it with {@link MeshFailed} (stage {@code delete}, that cluster, its code, reason and
 * retryable) instead.
 */
public final class DeleteMeshStep implements Step {
  /** The secrets of the whole mesh, removed once every cluster is gone. */
  static List<String> meshSecrets(String meshId) {
    return List.of("meshes/" + meshId + "/cilium-ca");
  }

  private final String meshId;
  private final MeshDeletions deletions;
  private final SecretStore secrets;
  private final Wait clustersWait;
  private final Clock clock;
  private boolean othersStopped;

  public DeleteMeshStep(
      String meshId, MeshDeletions deletions, SecretStore secrets, Duration timeout, Clock clock) {
    this.meshId = meshId;
    this.deletions = deletions;
    this.secrets = secrets;
    this.clock = clock;
    this.clustersWait =
        Wait.of(
            "every cluster of the mesh deleted",
            timeout,
            "MESH_DELETE_TIMEOUT",
            "mesh.delete.timeout");
  }

  @Override
  public Next advance(StepContext ctx) {
    if (!othersStopped) {
      deletions.watch(meshId, ctx::nudge);
      int left = ctx.cancelOtherSteps("mesh " + meshId + " is being deleted (meshctl down)");
      if (left > 0) {
        return Next.waitFor(clustersWait, left + " step(s) of the mesh still running");
      }
      othersStopped = true;
    }
    Optional<MeshDeletions.Failure> failure =
        deletions.failureSince(meshId, ctx.trigger().occurredAt());
    if (failure.isPresent()) {
      var f = failure.get();
      return Next.done(
          new MeshFailed(
              Stage.DELETE,
              f.cluster(),
              f.failure().code(),
              f.failure().reason(),
              f.failure().retryable()));
    }
    List<String> remaining = deletions.remaining(meshId);
    if (!remaining.isEmpty()) {
      return Next.waitFor(
          clustersWait, "clusters not deleted yet: " + String.join(", ", remaining));
    }
    List<ClusterDeleted.Resource> deleted = new ArrayList<>();
    for (String ref : meshSecrets(meshId)) {
      if (secrets.get(ref).isPresent()) {
        secrets.delete(ref);
        deleted.add(new ClusterDeleted.Resource("secret", ref));
      }
    }
    return Next.done(new MeshDeleted(deletions.summary(meshId), deleted));
  }

  @Override
  public void ended(StepEnd end) {
    if (end == StepEnd.COMPLETED) {
      deletions.deleted(meshId, clock.instant());
    }
    deletions.released(meshId);
  }
}
