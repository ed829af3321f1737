package io.meshorch.lb.application;

import io.meshorch.contracts.CiliumReady;
import io.meshorch.contracts.ClusterFailed;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.Stage;
import io.meshorch.kit.step.Plan;
import io.meshorch.kit.step.Wait;
import io.meshorch.lb.domain.EndpointDefect;
import io.meshorch.lb.domain.InvalidLbConfigException;
import io.meshorch.lb.domain.LbPlan;
import io.meshorch.lb.port.MeshEndpointPort;
import io.meshorch.lb.port.MetalLbPort;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides what a {@code CiliumReady} asks of lb-service and makes its step: a cluster whose pool
 * cannot be a MetalLB pool is answered at once ({@code ClusterFailed LB_POOL_INVALID}, nothing
 * touched); any other gets one {@link CiliumReadyStep}. Pure and quick, so it runs on the consumer
 * thread, and decides the same way when a started step is resumed.
 */
public final class LoadBalancerSteps {
  private static final Logger log = LoggerFactory.getLogger(LoadBalancerSteps.class);

  private final MetalLbPort metalLb;
  private final MeshEndpointPort endpoints;
  private final LbStepSettings settings;
  private final CiliumReadyStep.Waits waits;
  private final Clock clock;

  /**
   * @param clock measures the wait for the mesh endpoint Service, which ends in a terminal failure
   *     (the kit's own bound, a little later, would end it as retryable)
   */
  public LoadBalancerSteps(
      MetalLbPort metalLb, MeshEndpointPort endpoints, LbStepSettings settings, Clock clock) {
    this.metalLb = metalLb;
    this.endpoints = endpoints;
    this.settings = settings;
    this.clock = clock;
    this.waits =
        new CiliumReadyStep.Waits(
            Wait.of(
                "MetalLB controller",
                settings.controllerTimeout(),
                "METALLB_CONTROLLER_NOT_READY",
                "mesh.metallb.controller-timeout"),
            Wait.of(
                "MetalLB webhook",
                settings.webhookTimeout(),
                "METALLB_WEBHOOK_NOT_READY",
                "mesh.metallb.webhook-timeout"),
            new CiliumReadyStep.EndpointWait(
                Wait.of(
                    "Service " + CiliumReadyStep.ENDPOINT + " of type LoadBalancer",
                    settings.endpointTimeout().plus(CiliumReadyStep.EndpointWait.SAFETY_MARGIN),
                    EndpointDefect.MISSING,
                    CiliumReadyStep.EndpointWait.SETTING),
                settings.endpointTimeout()),
            Wait.of(
                "LoadBalancer IP of " + CiliumReadyStep.ENDPOINT,
                settings.ipTimeout(),
                "LB_IP_TIMEOUT",
                "mesh.metallb.ip-timeout"));
  }

  /** The plan for {@code event}, a {@code CiliumReady}. */
  public Plan planFor(EventEnvelope event) {
    CiliumReady in = (CiliumReady) event.payload();
    LbPlan plan;
    try {
      plan = LbPlan.forCluster(in.cluster(), settings.release(), settings.pinFirstAddress());
    } catch (InvalidLbConfigException e) {
      log.info(
          "CiliumReady {} of {} rejected: {}", event.eventId(), event.cluster(), e.getMessage());
      return Plan.answer(
          new ClusterFailed(Stage.LOAD_BALANCER, "LB_POOL_INVALID", e.getMessage(), false));
    }
    return Plan.step(event, () -> new CiliumReadyStep(in, plan, metalLb, endpoints, waits, clock));
  }
}
