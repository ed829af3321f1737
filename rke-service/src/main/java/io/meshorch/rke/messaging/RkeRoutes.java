package io.meshorch.rke.messaging;

import io.meshorch.contracts.ClusterDeleted;
import io.meshorch.contracts.EventType;
import io.meshorch.contracts.Stage;
import io.meshorch.kit.port.SecretStore;
import io.meshorch.kit.step.Plan;
import io.meshorch.kit.step.StepRoute;
import io.meshorch.rke.application.DeleteKubernetesStep;
import io.meshorch.rke.application.VmsReadySteps;
import io.meshorch.rke.port.KubernetesDeployerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * What rke-service does with each event it consumes ({@link RkeEventsListener}):
 *
 * <ul>
 *   <li>{@code VmsReady} (stage {@code kubernetes}) → one step for the event's cluster ({@link
 *       io.meshorch.rke.application.VmsReadyStep}): nodes over SSH, {@code rke up}, kubeconfig
 *       stored → {@code ClusterUp}, or {@code ClusterFailed} when it gives up.
 *   <li>{@code ClusterDeleted} part vms (stage {@code delete}) → one {@link DeleteKubernetesStep}:
 *       the cluster's VmsReady step cancelled, RKE state and secrets removed → {@code
 *       ClusterDeleted} part kubernetes.
 * </ul>
 */
@Configuration(proxyBeanMethods = false)
public class RkeRoutes {

  /**
   * infra-service deleted a cluster's VMs: one step removes RKE state and the cluster's secrets,
   * ending in {@code ClusterDeleted} part kubernetes (or {@code ClusterFailed} stage delete).
   */
  @Bean
  StepRoute clusterDeletedRoute(KubernetesDeployerPort deployer, SecretStore secrets) {
    return StepRoute.of(
        EventType.CLUSTER_DELETED,
        Stage.DELETE,
        event ->
            event.payload() instanceof ClusterDeleted d
                    && d.part().equals(Stage.VMS)
                    && event.cluster() != null
                ? Plan.step(
                    event,
                    () ->
                        new DeleteKubernetesStep(
                            event.meshId(), event.cluster(), deployer, secrets))
                : Plan.nothing());
  }

  @Bean
  StepRoute vmsReadyRoute(VmsReadySteps steps) {
    return StepRoute.building(
        EventType.VMS_READY,
        Stage.KUBERNETES,
        event -> Plan.step(event, () -> steps.stepFor(event)));
  }
}
