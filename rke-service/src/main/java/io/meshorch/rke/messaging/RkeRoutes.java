package io.meshorch.rke.messaging;

import io.meshorch.contracts.EventType;
import io.meshorch.contracts.Stage;
import io.meshorch.kit.step.Plan;
import io.meshorch.kit.step.StepRoute;
import io.meshorch.rke.application.VmsReadySteps;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * What rke-service does with each event it consumes ({@link RkeEventsListener}):
 *
 * <ul>
 *   <li>{@code VmsReady} (stage {@code kubernetes}) → one step for the event's cluster ({@link
 *       io.meshorch.rke.application.VmsReadyStep}): nodes over SSH, {@code rke up}, kubeconfig
 *       stored → {@code ClusterUp}, or {@code ClusterFailed} when it gives up.
 * </ul>
 */
@Configuration(proxyBeanMethods = false)
public class RkeRoutes {

  @Bean
  StepRoute vmsReadyRoute(VmsReadySteps steps) {
    return StepRoute.of(
        EventType.VMS_READY,
        Stage.KUBERNETES,
        event -> Plan.step(event, () -> steps.stepFor(event)));
  }
}
