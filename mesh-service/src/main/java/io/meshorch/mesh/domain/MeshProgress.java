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
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The state of one mesh as far as mesh-service is concerned: which clusters it expects (from the
 * latest valid {@code MeshRequested}), which of them have their ports updated, whether a cluster
 * failed and whether the mesh's outcome was already published. Events may come in any order and any
 * number of times: every fact is kept and the decisions are taken from the set of facts at the time
 * they are asked for, so the result does not depend on the order in which the topics were read
 * (live or replayed after a restart) and a duplicate changes nothing.
 *
 * <p>The action handed out is stable: while it runs, every {@link #claim} hands out the same one
 * (so a step that is already running is recognized by its key), and after a restart the action
 * whose step was recorded as started ({@link #started}) is handed out again, even if facts that
 * arrived while it ran would now point elsewhere.
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

  /** One fact about the mesh, with its identity and time. */
  private record Fact<T>(UUID eventId, String cluster, Instant at, T event) {}

  /** Earliest first; the event ID breaks ties so that the choice never depends on arrival. */
  private static final Comparator<Fact<?>> BY_TIME =
      Comparator.<Fact<?>, Instant>comparing(Fact::at).thenComparing(Fact::eventId);

  private final String meshId;
  private final Set<UUID> seen = new HashSet<>();
  private Instant requestedAt;
  private Map<String, ClusterSpec> expected;
  private boolean rejected;
  private final Map<String, List<Fact<PortsUpdated>>> ports = new HashMap<>();
  private final List<Fact<ClusterFailed>> failures = new ArrayList<>();
  private Instant lastOutcomeAt;
  private boolean completed;
  private Instant completedRun;
  private final Set<UUID> startedSteps = new HashSet<>();
  private MeshAction inFlight;
  private Instant inFlightRun;

  public MeshProgress(String meshId) {
    this.meshId = meshId;
  }

  public String meshId() {
    return meshId;
  }

  /**
   * Takes one event into account: a valid {@code MeshRequested} (the latest one is the current run,
   * see {@link #status}), {@code MeshRejected}, {@code PortsUpdated}, {@code ClusterFailed}, and
   * {@code MeshReady}/{@code MeshFailed} (the run is done). Invalid requests and other events are
   * ignored; an event seen before (same eventId) changes nothing.
   *
   * @throws IllegalArgumentException when a {@code PortsUpdated} lacks what connecting its cluster
   *     needs (spec, kubeconfig reference, endpoint IP); nothing is recorded then
   */
  public void apply(EventEnvelope event) {
    MeshEvent payload = event.payload();
    if (payload instanceof PortsUpdated updated
        && (updated.cluster() == null
            || updated.kubeconfigRef() == null
            || updated.meshEndpointIp() == null)) {
      throw new IllegalArgumentException(
          "PortsUpdated "
              + event.eventId()
              + " lacks the cluster spec, kubeconfig reference or mesh endpoint IP");
    }
    if (!seen.add(event.eventId())) {
      return;
    }
    if (payload instanceof MeshRequested request) {
      request(event, request);
    } else if (payload instanceof MeshRejected) {
      rejected = true;
    } else if (payload instanceof PortsUpdated updated) {
      String cluster = updated.cluster().name();
      ports
          .computeIfAbsent(cluster, c -> new ArrayList<>())
          .add(new Fact<>(event.eventId(), cluster, event.occurredAt(), updated));
    } else if (payload instanceof ClusterFailed failed) {
      failures.add(new Fact<>(event.eventId(), event.cluster(), event.occurredAt(), failed));
    } else if (payload instanceof MeshReady || payload instanceof MeshFailed) {
      outcomeAt(event.occurredAt());
    }
  }

  /**
   * A valid request starts the mesh; a later one for the same mesh ID (the user runs {@code up}
   * again, e.g. to converge after a failure) starts a new run: the facts that happened before it
   * belong to the earlier run and no longer count. An older request changes nothing.
   */
  private void request(EventEnvelope event, MeshRequested request) {
    if (!VALIDATOR.validate(event.meshId(), request).isEmpty()
        || (requestedAt != null && !event.occurredAt().isAfter(requestedAt))) {
      return;
    }
    requestedAt = event.occurredAt();
    expected = new LinkedHashMap<>();
    request.clusters().forEach(c -> expected.put(c.name(), c));
  }

  /**
   * A step of this mesh was recorded as started ({@code StepStarted} on the service's own topic,
   * read at start-up): the action with this cause is the one to hand out again.
   */
  public void started(UUID causationId) {
    startedSteps.add(causationId);
  }

  /** True when {@code at} belongs to the current run (no valid request yet: every fact does). */
  private boolean current(Instant at) {
    return requestedAt == null || !at.isBefore(requestedAt);
  }

  /** Where the mesh stands; DONE and CLOSED win over FAILED, which wins over the rest. */
  public Status status() {
    if ((lastOutcomeAt != null && current(lastOutcomeAt))
        || (completed && Objects.equals(completedRun, requestedAt))) {
      return Status.DONE;
    }
    if (rejected && expected == null) {
      return Status.CLOSED; // a rejection does not undo a valid request of the same mesh
    }
    if (failure().isPresent()) {
      return Status.FAILED;
    }
    if (expected == null || members().size() < expected.size()) {
      return Status.WAITING;
    }
    return Status.READY_TO_CONNECT;
  }

  /**
   * Hands out the mesh's action: Connect when READY_TO_CONNECT, Fail when FAILED (or the one whose
   * step was recorded as started, when both are possible). While an action is neither {@link
   * #release released} nor {@link #complete completed}, the same action is handed out again.
   */
  public Optional<MeshAction> claim() {
    Status status = status();
    if (status == Status.DONE || status == Status.CLOSED) {
      return Optional.empty();
    }
    if (inFlight != null) {
      return Optional.of(inFlight);
    }
    boolean complete = expected != null && members().size() == expected.size();
    Optional<MeshAction> connect = complete ? Optional.of(connect()) : Optional.empty();
    Optional<MeshAction> fail = failure().map(this::fail);
    Optional<MeshAction> action;
    if (connect.isPresent() && startedSteps.contains(connect.get().causationId())) {
      action = connect;
    } else if (fail.isPresent()) {
      action = fail;
    } else {
      action = connect;
    }
    action.ifPresent(
        a -> {
          inFlight = a;
          inFlightRun = requestedAt;
          startedSteps.add(a.causationId());
        });
    return action;
  }

  private MeshAction connect() {
    UUID cause =
        expected.keySet().stream()
            .map(this::selectedPorts)
            .flatMap(Optional::stream)
            .max(BY_TIME)
            .orElseThrow()
            .eventId();
    return new MeshAction.Connect(meshId, members(), cause);
  }

  private MeshAction fail(Fact<ClusterFailed> failure) {
    ClusterFailed f = failure.event();
    return new MeshAction.Fail(
        meshId,
        new MeshFailed(f.stage(), failure.cluster(), f.code(), f.reason(), f.retryable()),
        failure.eventId());
  }

  /** The first failure of the current run. */
  private Optional<Fact<ClusterFailed>> failure() {
    return failures.stream().filter(f -> current(f.at())).min(BY_TIME);
  }

  /** The first {@code PortsUpdated} of {@code cluster} in the current run. */
  private Optional<Fact<PortsUpdated>> selectedPorts(String cluster) {
    return ports.getOrDefault(cluster, List.of()).stream()
        .filter(f -> current(f.at()))
        .min(BY_TIME);
  }

  /** The action handed out did not finish (e.g. its step stopped): it may be claimed again. */
  public void release() {
    inFlight = null;
  }

  /**
   * The outcome of the action handed out was published: its run is done. (Known by the run it
   * belongs to, not by a time, so that the clocks of other hosts do not matter.)
   */
  public void complete() {
    completed = true;
    completedRun = inFlight == null ? requestedAt : inFlightRun;
    inFlight = null;
  }

  private void outcomeAt(Instant at) {
    if (lastOutcomeAt == null || at.isAfter(lastOutcomeAt)) {
      lastOutcomeAt = at;
    }
  }

  /** The expected clusters with their first {@code PortsUpdated} of the run, sorted by name. */
  public List<ClusterMember> members() {
    List<ClusterMember> out = new ArrayList<>();
    if (expected != null) {
      for (String name : expected.keySet()) {
        selectedPorts(name).map(f -> ClusterMember.of(f.event())).ifPresent(out::add);
      }
    }
    out.sort(Comparator.comparing(ClusterMember::name));
    return out;
  }
}
