package io.meshorch.lb.messaging;

import io.meshorch.contracts.EventType;
import io.meshorch.contracts.Stage;
import io.meshorch.kit.step.StepRoute;
import io.meshorch.lb.application.LoadBalancerSteps;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * lb-service's route table, read with {@link LbEventsListener}: which event starts which step.
 *
 * <pre>
 * consumes      stage          step                           outcome
 * CiliumReady   loadbalancer   LoadBalancerSteps.planFor      LbIpAssigned (or ClusterFailed)
 * </pre>
 *
 * Other types on {@code mesh.cni.events} are skipped.
 */
@Configuration(proxyBeanMethods = false)
public class LbServiceRoutes {

  @Bean
  StepRoute ciliumReadyRoute(LoadBalancerSteps steps) {
    return StepRoute.building(EventType.CILIUM_READY, Stage.LOAD_BALANCER, steps::planFor);
  }
}
