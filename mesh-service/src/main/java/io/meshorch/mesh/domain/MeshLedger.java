package io.meshorch.mesh.domain;

import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.MeshFailed;
import io.meshorch.contracts.MeshReady;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The progress of every mesh, safe for concurrent handlers: each mesh's transitions and claims run
 * atomically ({@link ConcurrentHashMap#compute}), so when several {@code PortsUpdated} of a mesh
 * are handled at once on different threads, exactly one of them gets the Connect action.
 */
public final class MeshLedger {
  private final ConcurrentHashMap<String, MeshProgress> meshes = new ConcurrentHashMap<>();

  /** Takes an input event into account without acting (start-up replay). */
  public void record(EventEnvelope event) {
    update(event.meshId(), p -> p.apply(event));
  }

  /**
   * Takes this service's own event into account (start-up replay of its topic): only {@code
   * MeshReady} and {@code MeshFailed} matter, they mark the mesh done.
   */
  public void recordOwn(EventEnvelope event) {
    if (event.payload() instanceof MeshReady || event.payload() instanceof MeshFailed) {
      record(event);
    }
  }

  /** Takes {@code event} into account and claims the mesh's next action, atomically. */
  public Optional<MeshAction> recordAndClaim(EventEnvelope event) {
    AtomicReference<Optional<MeshAction>> action = new AtomicReference<>(Optional.empty());
    update(
        event.meshId(),
        p -> {
          p.apply(event);
          action.set(p.claim());
        });
    return action.get();
  }

  /** Claims the actions of every mesh that has one pending (after the start-up replay). */
  public List<MeshAction> claimPending() {
    List<MeshAction> out = new ArrayList<>();
    for (String meshId : List.copyOf(meshes.keySet())) {
      update(meshId, p -> p.claim().ifPresent(out::add));
    }
    return out;
  }

  /** The outcome of {@code meshId} was published; nothing more will be handed out for it. */
  public void completed(String meshId) {
    update(meshId, MeshProgress::complete);
  }

  /** The action handed out for {@code meshId} did not finish; it may be claimed again. */
  public void released(String meshId) {
    update(meshId, MeshProgress::release);
  }

  /** Where {@code meshId} stands, if anything is known about it. */
  public Optional<MeshProgress.Status> status(String meshId) {
    AtomicReference<MeshProgress.Status> status = new AtomicReference<>();
    meshes.computeIfPresent(
        meshId,
        (id, p) -> {
          status.set(p.status());
          return p;
        });
    return Optional.ofNullable(status.get());
  }

  private void update(String meshId, java.util.function.Consumer<MeshProgress> change) {
    meshes.compute(
        meshId,
        (id, p) -> {
          MeshProgress progress = p == null ? new MeshProgress(id) : p;
          change.accept(progress);
          return progress;
        });
  }
}
