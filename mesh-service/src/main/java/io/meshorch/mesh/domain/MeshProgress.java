package io.meshorch.mesh.domain;

import io.meshorch.contracts.ClusterFailed;
import io.meshorch.contracts.ClusterSpec;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.MeshEvent;
import io.meshorch.contracts.MeshFailed;
import io.meshorch.contracts.MeshReady;
import io.meshorch.contracts.MeshRejected;
import io.meshorch.contracts.MeshRequested;
import io.meshorch.contracts.PortsUpdated;
import io.meshorch.contracts.validation.MeshRequestValidator;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The state of one mesh as far as mesh-service is concerned: which clusters it expects (from a
 * valid {@code MeshRequested}), which of them have their ports updated, whether a cluster failed
 * and whether the mesh's outcome was already published. Events may come in any order and any number
 * of times: the state is a set of facts, so the result does not depend on the order and a duplicate
 * changes nothing.
 *
 * <p>Not thread-safe: {@link MeshLedger} serializes the transitions of each mesh.
 */
public final class MeshProgress {
  private static final MeshRequestValidator VALIDATOR = new MeshRequestValidator();

  /** Where a mesh stands. */
  public enum Status {
    /** The request or some clusters' {@code PortsUpdated} are still missing. */
    WAITING,
    /** Every expected cluster has {@code PortsUpdated}: connect and validate. */
    READY_TO_CONNECT,
    /** A cluster failed: publish {@code MeshFailed}. */
    FAILED,
    /** The request was rejected: nothing will happen for this mesh. */
    CLOSED,
    /** {@code MeshReady} or {@code MeshFailed} is published: nothing more to do. */
    DONE
  }

  private record Failure(UUID eventId, String cluster, ClusterFailed event, Instant at) {}

  private final String meshId;
  private Map<String, ClusterSpec> expected;
  private final Map<String, PortsUpdated> ports = new LinkedHashMap<>();
  private final Map<String, Instant> portsAt = new LinkedHashMap<>();
  private UUID lastPortsEventId;
  private Failure failure;
  private boolean closed;
  private boolean done;
  private Instant doneAt;
  private boolean claimed;
  private UUID requestId;
  private Instant requestedAt;

  public MeshProgress(String meshId) {
    this.meshId = meshId;
  }

  public String meshId() {
    return meshId;
  }

  /**
   * Takes one event into account: {@code MeshRequested} (ignored when invalid or older than the
   * current request; a later valid one starts a new run of the mesh, see {@link #request}), facts
   * older than the current request (ignored), {@code MeshRejected}, {@code PortsUpdated} (first per
   * cluster wins), {@code ClusterFailed} (first wins), {@code MeshReady}/{@code MeshFailed} (the
   * mesh is done). Other events are ignored.
   *
   * @return whether the state changed
   */
  public boolean apply(EventEnvelope event) {
    MeshEvent payload = event.payload();
    if (payload instanceof MeshRequested request) {
      return request(event, request);
    }
    if (requestedAt != null && event.occurredAt().isBefore(requestedAt)) {
      // A fact of an earlier request for the same mesh ID (replayed, or late): not this run's.
      return false;
    }
    if (payload instanceof MeshRejected) {
      if (expected != null) {
        return false; // a later invalid request does not undo a valid one in progress
      }
      boolean changed = !closed;
      closed = true;
      return changed;
    }
    if (payload instanceof PortsUpdated updated) {
      String cluster = updated.cluster() == null ? event.cluster() : updated.cluster().name();
      if (cluster == null || ports.containsKey(cluster)) {
        return false;
      }
      ports.put(cluster, updated);
      portsAt.put(cluster, event.occurredAt());
      lastPortsEventId = event.eventId();
      return true;
    }
    if (payload instanceof ClusterFailed failed) {
      if (failure != null) {
        return false;
      }
      failure = new Failure(event.eventId(), event.cluster(), failed, event.occurredAt());
      return true;
    }
    if (payload instanceof MeshReady || payload instanceof MeshFailed) {
      boolean changed = !done;
      done = true;
      doneAt = event.occurredAt();
      return changed;
    }
    return false;
  }

  /**
   * A valid request starts the mesh; a later one for the same mesh ID (the user runs {@code up}
   * again, e.g. to converge after a failure) starts a new run: the facts that happened before it
   * belong to the earlier run and are forgotten. An older or repeated request changes nothing.
   */
  private boolean request(EventEnvelope event, MeshRequested request) {
    if (!VALIDATOR.validate(event.meshId(), request).isEmpty()
        || event.eventId().equals(requestId)
        || (requestedAt != null && !event.occurredAt().isAfter(requestedAt))) {
      return false;
    }
    requestId = event.eventId();
    requestedAt = event.occurredAt();
    expected = new LinkedHashMap<>();
    request.clusters().forEach(c -> expected.put(c.name(), c));
    closed = false;
    portsAt.entrySet().removeIf(e -> e.getValue().isBefore(requestedAt));
    ports.keySet().retainAll(portsAt.keySet());
    if (failure != null && failure.at().isBefore(requestedAt)) {
      failure = null;
    }
    if (done && doneAt != null && doneAt.isBefore(requestedAt)) {
      done = false;
      claimed = false;
    }
    return true;
  }

  /** Where the mesh stands; DONE and CLOSED win over FAILED, which wins over the rest. */
  public Status status() {
    if (done) {
      return Status.DONE;
    }
    if (closed) {
      return Status.CLOSED;
    }
    if (failure != null) {
      return Status.FAILED;
    }
    if (expected == null || !ports.keySet().containsAll(expected.keySet())) {
      return Status.WAITING;
    }
    return Status.READY_TO_CONNECT;
  }

  /**
   * Hands out the next action once: Connect when READY_TO_CONNECT, Fail when FAILED; nothing while
   * an action handed out earlier is neither {@link #release released} nor {@link #complete
   * completed}.
   */
  public Optional<MeshAction> claim() {
    if (claimed) {
      return Optional.empty();
    }
    Optional<MeshAction> action =
        switch (status()) {
          case READY_TO_CONNECT ->
              Optional.of(new MeshAction.Connect(meshId, members(), lastPortsEventId));
          case FAILED ->
              Optional.of(
                  new MeshAction.Fail(
                      meshId,
                      new MeshFailed(
                          failure.event().stage(),
                          failure.cluster(),
                          failure.event().code(),
                          failure.event().reason(),
                          failure.event().retryable()),
                      failure.eventId()));
          default -> Optional.empty();
        };
    claimed = action.isPresent();
    return action;
  }

  /** The action handed out did not finish (e.g. a crash of its step): it may be claimed again. */
  public void release() {
    claimed = false;
  }

  /** The outcome of the mesh was published. */
  public void complete() {
    done = true;
    doneAt = Instant.now();
    claimed = false;
  }

  /** The expected clusters with their {@code PortsUpdated}, by name; those known so far. */
  public List<ClusterMember> members() {
    List<ClusterMember> out = new ArrayList<>();
    if (expected != null) {
      expected.keySet().stream()
          .filter(ports::containsKey)
          .map(name -> ClusterMember.of(ports.get(name)))
          .forEach(out::add);
    }
    out.sort(Comparator.comparing(ClusterMember::name));
    return out;
  }
}
