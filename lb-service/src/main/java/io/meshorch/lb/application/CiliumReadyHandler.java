package io.meshorch.lb.application;

import io.meshorch.contracts.CiliumReady;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.LbIpAssigned;
import io.meshorch.contracts.MeshEvent;
import io.meshorch.contracts.ProgressReported;
import io.meshorch.contracts.Stage;
import io.meshorch.kit.dedupe.HandledEvents;
import io.meshorch.kit.failure.TerminalFailure;
import io.meshorch.kit.messaging.EventHandler;
import io.meshorch.kit.port.EventPublisherPort;
import io.meshorch.lb.domain.AddressPoolSpec;
import io.meshorch.lb.domain.InvalidLbConfigException;
import io.meshorch.lb.domain.IpVerdict;
import io.meshorch.lb.domain.LbPlan;
import io.meshorch.lb.domain.MeshEndpointService;
import io.meshorch.lb.port.MeshEndpointPort;
import io.meshorch.lb.port.MetalLbPort;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers {@code CiliumReady}: installs MetalLB, configures the cluster's pool once the controller
 * is available, exposes the mesh control plane as a LoadBalancer Service and publishes {@code
 * LbIpAssigned} with the IP MetalLB assigned. Converges on replay: every object has a fixed name
 * and is created or updated; a Service that already holds an IP of the pool is reported at once; an
 * event already answered (see {@link HandledEvents}) is skipped.
 */
public final class CiliumReadyHandler implements EventHandler {
  private static final Logger log = LoggerFactory.getLogger(CiliumReadyHandler.class);

  private final MetalLbPort metalLb;
  private final MeshEndpointPort endpoints;
  private final EventPublisherPort publisher;
  private final HandledEvents handled;
  private final LbStepSettings settings;
  private final AssignedIpWait ipWait;

  public CiliumReadyHandler(
      MetalLbPort metalLb,
      MeshEndpointPort endpoints,
      EventPublisherPort publisher,
      HandledEvents handled,
      LbStepSettings settings) {
    this.metalLb = metalLb;
    this.endpoints = endpoints;
    this.publisher = publisher;
    this.handled = handled;
    this.settings = settings;
    this.ipWait = new AssignedIpWait(endpoints, settings.ipTimeout(), settings.pollInterval());
  }

  @Override
  public void handle(EventEnvelope event) {
    if (handled.contains(event.eventId(), event.cluster())) {
      log.info("CiliumReady {} already answered for {}", event.eventId(), event.cluster());
      return;
    }
    CiliumReady in = (CiliumReady) event.payload();
    LbPlan plan = plan(in);
    String ref = in.kubeconfigRef();
    Optional<String> ip =
        endpoints.assignedIp(ref).filter(a -> plan.pool().judge(a) == IpVerdict.INSIDE_POOL);
    if (ip.isPresent()) {
      log.info("mesh endpoint of {} already has IP {}: re-emitting", event.cluster(), ip.get());
    } else {
      configureMetalLb(event, ref, plan);
      endpoints.ensureService(ref, plan.endpoint());
      publish(event, progress("waiting for MetalLB to assign an IP to " + endpointName()));
      ip = Optional.of(ipWait.await(ref, plan.pool()));
    }
    log.info("mesh endpoint of {} is {}:{}", event.cluster(), ip.get(), MeshEndpointService.PORT);
    publish(
        event, new LbIpAssigned(in.cluster(), in.nodes(), ref, ip.get(), MeshEndpointService.PORT));
  }

  private void configureMetalLb(EventEnvelope event, String ref, LbPlan plan) {
    publish(event, progress("installing MetalLB v" + plan.release().version()));
    metalLb.install(ref, plan.release());
    publish(event, progress("waiting for the MetalLB controller, then configuring the pool"));
    List<String> stored = metalLb.configurePool(ref, plan.pool(), settings.controllerTimeout());
    if (!plan.pool().acceptedAs(stored)) {
      throw new TerminalFailure(
          "METALLB_POOL_NOT_ACCEPTED",
          "IPAddressPool "
              + AddressPoolSpec.POOL_NAME
              + " reads back spec.addresses "
              + stored
              + " instead of "
              + plan.pool().addresses());
    }
  }

  private LbPlan plan(CiliumReady in) {
    try {
      return LbPlan.forCluster(in.cluster(), settings.release(), settings.pinFirstAddress());
    } catch (InvalidLbConfigException e) {
      throw new TerminalFailure("LB_POOL_INVALID", e.getMessage(), e);
    }
  }

  private static String endpointName() {
    return MeshEndpointService.NAMESPACE + "/" + MeshEndpointService.NAME;
  }

  private static ProgressReported progress(String message) {
    return new ProgressReported(Stage.LOAD_BALANCER, message);
  }

  private void publish(EventEnvelope cause, MeshEvent payload) {
    publisher.publish(
        EventEnvelope.create(
            cause.meshId(), cause.cluster(), cause.eventId(), settings.producer(), payload));
  }
}
