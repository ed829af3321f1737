package io.meshorch.cni.messaging;

import io.meshorch.cni.application.ClusterUpSteps;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.EventType;
import io.meshorch.contracts.Stage;
import io.meshorch.kit.step.Plan;
import io.meshorch.kit.step.StepRoute;
import java.util.function.Function;
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
    return route(EventType.CLUSTER_UP, Stage.CNI, steps::plan);
  }

  private static StepRoute route(
      EventType type, String stage, Function<EventEnvelope, Plan> planner) {
    return new StepRoute() {
      @Override
      public EventType type() {
        return type;
      }

      @Override
      public String stage() {
        return stage;
      }

      @Override
      public Plan plan(EventEnvelope event) {
        return planner.apply(event);
      }

      @Override
      public String toString() {
        return type.wireName() + " route (stage " + stage + ")";
      }
    };
  }
}
