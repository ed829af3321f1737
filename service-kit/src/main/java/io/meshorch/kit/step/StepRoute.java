package io.meshorch.kit.step;

import io.meshorch.contracts.ClusterFailed;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.EventType;
import io.meshorch.contracts.MeshEvent;
import java.util.Objects;
import java.util.function.Function;

/**
 * What a service does with one event type: {@link #plan} decides, quickly and without waiting,
 * which steps the event starts (or answers it at once); the kit then records each step as started,
 * acknowledges the record and runs the steps. The same {@code plan} is asked again when a started
 * step is resumed after a restart, so it must decide the same way for the same event.
 */
public interface StepRoute {

  /** The incoming event type this route takes. */
  EventType type();

  /** The stage named in the progress and failures of this route's steps. */
  String stage();

  /**
   * The steps {@code event} starts. Runs on the consumer thread: no waiting, no calls to outside
   * systems.
   *
   * @throws RuntimeException the record cannot be processed: it is retried a few times, then put on
   *     the dead-letter topic and answered with {@link #failure}
   */
  Plan plan(EventEnvelope event);

  /**
   * The event that tells the mesh a step of this route gave up (or its trigger could not be
   * processed). By default a {@code ClusterFailed}; a service that owns mesh-level outcomes answers
   * with its own event.
   *
   * @param trigger the event the step answers
   * @param cluster the step's cluster, or null for a mesh-level step
   */
  default MeshEvent failure(
      EventEnvelope trigger, String cluster, String code, String reason, boolean retryable) {
    return new ClusterFailed(stage(), code, reason, retryable);
  }

  /**
   * True when this route's steps build a cluster (its Kubernetes, its CNI, its load balancer...):
   * the kit stops them when the cluster's deletion is requested, and starts or resumes none for a
   * cluster being deleted ({@link DeletionRequests}). The service must consume {@code
   * mesh.requests} to learn of deletions. False by default: a delete step, or a route that only
   * records facts, goes on.
   */
  default boolean builds() {
    return false;
  }

  /** A route of {@code type} whose steps report in {@code stage}, planned by {@code planner}. */
  static StepRoute of(EventType type, String stage, Function<EventEnvelope, Plan> planner) {
    return new Simple(type, stage, planner, null, false);
  }

  /**
   * A route like {@link #of(EventType, String, Function)} whose steps build a cluster: stopped when
   * the cluster's deletion is requested ({@link #builds}).
   */
  static StepRoute building(EventType type, String stage, Function<EventEnvelope, Plan> planner) {
    return new Simple(type, stage, planner, null, true);
  }

  /**
   * A route like {@link #of(EventType, String, Function)} that answers failures with {@code
   * failure} instead of {@code ClusterFailed}.
   */
  static StepRoute of(
      EventType type, String stage, Function<EventEnvelope, Plan> planner, Failure failure) {
    return new Simple(type, stage, planner, Objects.requireNonNull(failure, "failure"), false);
  }

  /** How a route answers a step that gave up; see {@link StepRoute#failure}. */
  @FunctionalInterface
  interface Failure {
    MeshEvent answer(
        EventEnvelope trigger, String cluster, String code, String reason, boolean retryable);
  }

  /** The route {@link #of} builds. */
  record Simple(
      EventType type,
      String stage,
      Function<EventEnvelope, Plan> planner,
      Failure answers,
      boolean builds)
      implements StepRoute {
    public Simple {
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(stage, "stage");
      Objects.requireNonNull(planner, "planner");
    }

    @Override
    public Plan plan(EventEnvelope event) {
      return planner.apply(event);
    }

    @Override
    public MeshEvent failure(
        EventEnvelope trigger, String cluster, String code, String reason, boolean retryable) {
      return answers == null
          ? StepRoute.super.failure(trigger, cluster, code, reason, retryable)
          : answers.answer(trigger, cluster, code, reason, retryable);
    }

    @Override
    public String toString() {
      return type.wireName() + " route (stage " + stage + ")";
    }
  }
}
