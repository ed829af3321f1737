package io.meshorch.lb.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshorch.contracts.ClusterFailed;
import io.meshorch.contracts.EventType;
import io.meshorch.kit.step.StepRoute;
import io.meshorch.lb.application.LbStepSettings;
import io.meshorch.lb.application.LoadBalancerSteps;
import io.meshorch.lb.domain.MetalLbRelease;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class LbServiceRoutesTest {

  @Test
  void ciliumReadyStartsTheLoadBalancerStepWhoseFailuresAreClusterFailed() {
    LoadBalancerSteps steps =
        new LoadBalancerSteps(
            null,
            null,
            new LbStepSettings(
                new MetalLbRelease("0.15.3"),
                false,
                Duration.ofMinutes(3),
                Duration.ofMinutes(1),
                Duration.ofMinutes(1),
                Duration.ofMinutes(2)),
            Clock.systemUTC());

    StepRoute route = new LbServiceRoutes().ciliumReadyRoute(steps);

    assertThat(route.type()).isEqualTo(EventType.CILIUM_READY);
    assertThat(route.stage()).isEqualTo("loadbalancer");
    assertThat(route.failure(null, "east", "LB_IP_TIMEOUT", "no IP", true))
        .isEqualTo(new ClusterFailed("loadbalancer", "LB_IP_TIMEOUT", "no IP", true));
  }
}
