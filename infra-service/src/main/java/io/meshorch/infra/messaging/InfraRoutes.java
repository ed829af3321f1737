package io.meshorch.infra.messaging;

import io.meshorch.contracts.ClusterFailed;
import io.meshorch.contracts.EventType;
import io.meshorch.contracts.Stage;
import io.meshorch.infra.application.LbIpAssignedSteps;
import io.meshorch.infra.application.MeshDeleteRequestedSteps;
import io.meshorch.infra.application.MeshRequestedSteps;
import io.meshorch.kit.messaging.UnreadableRecordAnswer;
import io.meshorch.kit.step.StepRoute;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The route table of infra-service, read together with {@link InfraEventsListener}:
 *
 * <pre>
 * mesh.MeshRequested.v1 (mesh.requests), stage vms
 *   → MeshRequestedSteps: validate; MeshRejected, or one VmsStep per cluster
 *   → per cluster: StepStarted, ProgressReported…, then VmsReady or ClusterFailed
 * mesh.MeshDeleteRequested.v1 (mesh.requests), stage delete
 *   → MeshDeleteRequestedSteps: one DeleteVmsStep per cluster built here (none if unknown)
 *   → per cluster: StepStarted, then ClusterDeleted (part vms) or ClusterFailed
 * mesh.LbIpAssigned.v1 (mesh.lb.events), stage ports
 *   → LbIpAssignedSteps: one PortsStep for the cluster
 *   → StepStarted, then PortsUpdated or ClusterFailed
 * an unreadable record on mesh.requests (not JSON, no payload, too large)
 *   → dead-letter topic, and MeshRejected naming "record" (UnreadableRequestAnswer)
 * </pre>
 *
 * Every other type on these topics is skipped. StepStarted is published by the kit before the
 * trigger is acknowledged; the steps then run without holding the consumer.
 */
@Configuration(proxyBeanMethods = false)
public class InfraRoutes {

  /**
   * A request that could not be processed at all (its plan or its answer kept failing) is rejected
   * naming the record, as an unreadable one is; a cluster's VM step that gave up is that cluster's
   * {@code ClusterFailed}.
   */
  @Bean
  StepRoute meshRequestedRoute(MeshRequestedSteps steps) {
    return StepRoute.of(
        EventType.MESH_REQUESTED,
        Stage.VMS,
        event -> steps.plan(event),
        (trigger, cluster, code, reason, retryable) ->
            cluster == null
                ? UnreadableRequestAnswer.rejection(reason)
                : new ClusterFailed(Stage.VMS, code, reason, retryable));
  }

  /**
   * A delete request starts one delete step per cluster built here; each ends in {@code
   * ClusterDeleted} (part vms) or {@code ClusterFailed} (stage delete).
   */
  @Bean
  StepRoute meshDeleteRequestedRoute(MeshDeleteRequestedSteps steps) {
    return StepRoute.of(EventType.MESH_DELETE_REQUESTED, Stage.DELETE, event -> steps.plan(event));
  }

  @Bean
  StepRoute lbIpAssignedRoute(LbIpAssignedSteps steps) {
    return StepRoute.building(EventType.LB_IP_ASSIGNED, Stage.PORTS, event -> steps.plan(event));
  }

  @Bean
  UnreadableRecordAnswer unreadableRequestAnswer() {
    return new UnreadableRequestAnswer();
  }
}
