package io.meshorch.mesh.domain;

import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.MeshFailed;
import io.meshorch.contracts.MeshReady;
import io.meshorch.contracts.StepStarted;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The progress of every mesh, safe for concurrent use: each mesh's transitions and claims run
 * atomically ({@link ConcurrentHashMap#compute}), so however many events of a mesh are planned at
 * once, they all get the same action (one step key), and never a Connect and a Fail.
 */
public final class MeshLedger {
  private final ConcurrentHashMap<String, MeshProgress> meshes = new ConcurrentHashMap<>();

  /**
   * Takes an input event into account without acting (start-up replay). An event that cannot be
   * taken into account is skipped: it was dead-lettered and answered when it was first consumed.
   *
   * @return false when the event was skipped
   */
  public boolean record(EventEnvelope event) {
    try {
      update(event.meshId(), p -> p.apply(event));
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /**
   * Takes this service's own event into account (live as it is published, and from replays of its
   * topic): {@code MeshReady} and {@code MeshFailed} mark the mesh done; {@code StepStarted} says
   * which action was taken up, so that the same one is handed out when its step is resumed.
   * Progress is ignored.
   */
  public void recordOwn(EventEnvelope event) {
    if (event.payload() instanceof MeshReady || event.payload() instanceof MeshFailed) {
      record(event);
    } else if (event.payload() instanceof StepStarted && event.causationId() != null) {
      update(event.meshId(), p -> p.started(event.causationId()));
    }
  }

  /**
   * Takes {@code event} into account and claims the mesh's action, atomically: the same action as
   * long as it is neither {@link #completed} nor {@link #released}.
   *
   * @throws IllegalArgumentException when the event cannot be taken into account (see {@link
   *     MeshProgress#apply}); nothing changed then
   */
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

  /** The outcome of {@code meshId} was published; nothing more will be handed out for it. */
  public void completed(String meshId) {
    update(meshId, MeshProgress::complete);
  }

  /**
   * The action handed out for {@code meshId} stopped without an outcome (the service stops, or its
   * partition moved): it may be claimed again.
   */
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

  private void update(String meshId, Consumer<MeshProgress> change) {
    meshes.compute(
        meshId,
        (id, p) -> {
          MeshProgress progress = p == null ? new MeshProgress(id) : p;
          change.accept(progress);
          return progress;
        });
  }
}
