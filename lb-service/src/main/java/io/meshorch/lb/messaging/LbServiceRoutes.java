package io.meshorch.lb.messaging;

import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.EventType;
import io.meshorch.contracts.Stage;
import io.meshorch.kit.step.Plan;
import io.meshorch.kit.step.StepRoute;
import io.meshorch.lb.application.LoadBalancerSteps;
import java.util.function.Function;
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
    return new Route(EventType.CILIUM_READY, Stage.LOAD_BALANCER, steps::planFor);
  }

  /** A route whose failures are the kit's default {@code ClusterFailed}. */
  private record Route(EventType type, String stage, Function<EventEnvelope, Plan> planner)
      implements StepRoute {
    @Override
    public Plan plan(EventEnvelope event) {
      return planner.apply(event);
    }
  }
}
