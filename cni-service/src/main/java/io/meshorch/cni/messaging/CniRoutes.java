package io.meshorch.cni.messaging;

import io.meshorch.cni.application.ClusterUpSteps;
import io.meshorch.contracts.EventType;
import io.meshorch.contracts.Stage;
import io.meshorch.kit.step.StepRoute;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The route table of cni-service, read by {@link CniEventsListener}'s dispatcher: which event
 * starts which step. Other event types on the consumed topic are skipped.
 *
 * <pre>
 * mesh.ClusterUp.v1 (mesh.rke.events) ─▶ ClusterUpSteps: one step per cluster, stage cni
 *                                        ─▶ CiliumReady | ClusterFailed
 * </pre>
 */
@Configuration(proxyBeanMethods = false)
public class CniRoutes {

  /** {@code ClusterUp} → install Cilium in that cluster → {@code CiliumReady}. */
  @Bean
  StepRoute clusterUpRoute(ClusterUpSteps steps) {
    return StepRoute.building(EventType.CLUSTER_UP, Stage.CNI, steps::plan);
  }
}
