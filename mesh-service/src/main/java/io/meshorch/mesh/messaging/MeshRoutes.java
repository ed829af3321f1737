package io.meshorch.mesh.messaging;

import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.EventType;
import io.meshorch.contracts.Stage;
import io.meshorch.kit.step.Plan;
import io.meshorch.kit.step.StepRoute;
import io.meshorch.mesh.application.MeshDeleteSteps;
import io.meshorch.mesh.application.MeshSteps;
import io.meshorch.mesh.domain.MeshDeletions;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The route table of mesh-service, read by {@link MeshEventsListener}'s dispatcher. Every event it
 * takes goes into the mesh's progress; the event that completes what a mesh needs starts its one
 * mesh-level step (stage {@code mesh}, named by the action's cause, cluster null). Other event
 * types on the consumed topics are skipped.
 *
 * <pre>
 * MeshRequested (mesh.requests)       ─┐ MeshSteps.plan: record the fact, then
 * MeshRejected  (mesh.infra.events)   ─┤  every cluster ported ─▶ ConnectStep
 * PortsUpdated  (mesh.infra.events)   ─┤                        ─▶ MeshReady | MeshFailed
 * ClusterFailed (infra, rke, cni, lb) ─┘  a cluster failed     ─▶ FailStep ─▶ MeshFailed
 * </pre>
 *
 * A step that gives up, or an event that cannot be processed, is answered with {@code MeshFailed}
 * (not the kit's default {@code ClusterFailed}): this service owns the mesh's outcome.
 */
@Configuration(proxyBeanMethods = false)
public class MeshRoutes {

  /** {@code MeshRequested} → the clusters a mesh expects; may complete a mesh ported earlier. */
  @Bean
  StepRoute meshRequestedRoute(MeshSteps steps, MeshDeletions deletions) {
    return route(
        EventType.MESH_REQUESTED,
        event -> {
          deletions.record(event);
          return steps.plan(event);
        });
  }

  /**
   * {@code MeshDeleteRequested} → one delete step per mesh ({@code MeshDeleted} or {@code
   * MeshFailed} stage delete), or an empty {@code MeshDeleted} at once for an unknown or deleted
   * mesh.
   */
  @Bean
  StepRoute meshDeleteRequestedRoute(MeshDeleteSteps steps) {
    return StepRoute.of(
        EventType.MESH_DELETE_REQUESTED,
        Stage.DELETE,
        steps::plan,
        (trigger, cluster, code, reason, retryable) ->
            MeshSteps.failure(Stage.DELETE, cluster, code, reason, retryable));
  }

  /** {@code ClusterDeleted} (both parts) → the deletion under way looks again; nothing starts. */
  @Bean
  StepRoute clusterDeletedRoute(MeshDeletions deletions) {
    return route(
        EventType.CLUSTER_DELETED,
        event -> {
          deletions.record(event);
          return Plan.nothing();
        });
  }

  /** {@code MeshRejected} → the mesh is closed: nothing will be connected. */
  @Bean
  StepRoute meshRejectedRoute(MeshSteps steps) {
    return route(EventType.MESH_REJECTED, steps);
  }

  /** {@code PortsUpdated} → one more cluster ready; the last one starts the connect step. */
  @Bean
  StepRoute portsUpdatedRoute(MeshSteps steps) {
    return route(EventType.PORTS_UPDATED, steps);
  }

  /** {@code ClusterFailed} → the mesh fails with that cluster's stage, code and retryable. */
  @Bean
  StepRoute clusterFailedRoute(MeshSteps steps, MeshDeletions deletions) {
    return route(
        EventType.CLUSTER_FAILED,
        event ->
            deletions.record(event)
                // a deletion that failed is the delete step's answer, not a run's failure
                ? Plan.nothing()
                : steps.plan(event));
  }

  private static StepRoute route(EventType type, MeshSteps steps) {
    return route(type, steps::plan);
  }

  private static StepRoute route(
      EventType type, java.util.function.Function<EventEnvelope, Plan> planner) {
    return StepRoute.of(
        type,
        Stage.MESH,
        planner,
        (trigger, cluster, code, reason, retryable) ->
            MeshSteps.failure(Stage.MESH, cluster, code, reason, retryable));
  }
}
