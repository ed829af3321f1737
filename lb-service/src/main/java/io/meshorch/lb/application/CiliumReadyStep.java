package io.meshorch.lb.application;

import io.meshorch.contracts.CiliumReady;
import io.meshorch.contracts.LbIpAssigned;
import io.meshorch.kit.failure.TerminalFailure;
import io.meshorch.kit.step.Next;
import io.meshorch.kit.step.Step;
import io.meshorch.kit.step.StepContext;
import io.meshorch.kit.step.Wait;
import io.meshorch.lb.domain.AddressPoolSpec;
import io.meshorch.lb.domain.EndpointDefect;
import io.meshorch.lb.domain.IpVerdict;
import io.meshorch.lb.domain.LbPlan;
import io.meshorch.lb.domain.MeshEndpointService;
import io.meshorch.lb.domain.PoolWrite;
import io.meshorch.lb.port.MeshEndpointPort;
import io.meshorch.lb.port.MetalLbPort;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The load-balancer step of one cluster, a reconciler answering its {@code CiliumReady} with {@code
 * LbIpAssigned}:
 *
 * <ol>
 *   <li>look: a mesh endpoint Service that already holds an IP of the pool is reported at once (a
 *       replay installs nothing);
 *   <li>install MetalLB from its pinned manifests (server-side apply) and watch its controller and
 *       webhook configuration;
 *   <li>wait until the controller is available and the webhook configuration carries the {@code
 *       caBundle} the controller injects: the controller serves the webhook that validates the
 *       pool;
 *   <li>write the pool and its advertisement; while the API server cannot call the webhook yet
 *       (HTTP 500 "failed calling webhook"), say so once, wait and write again; then check what the
 *       cluster stored;
 *   <li>watch Cilium's mesh endpoint Service and check it exists with type LoadBalancer
 *       (cni-service installs it from the Cilium chart; lb-service never creates or retypes it):
 *       while it does not, wait, and past the bound fail terminally saying what was seen, the rule
 *       and what to check; then apply lb-service's fields on it (the pin annotation);
 *   <li>wait for its IP and check it lies in the pool.
 * </ol>
 *
 * Watches only make the step look at once; re-checks on the kit's schedule would find the same.
 * They are tied to the step ({@link StepContext#keep}), so they close however it ends; the
 * controller watch closes as soon as the webhook can answer. Every effect is a server-side apply of
 * fixed names, so a step created afresh after a restart converges on the same objects.
 */
final class CiliumReadyStep implements Step {
  private static final Logger log = LoggerFactory.getLogger(CiliumReadyStep.class);

  /** The mesh endpoint Service, {@code namespace/name}. */
  static final String ENDPOINT = MeshEndpointService.NAMESPACE + "/" + MeshEndpointService.NAME;

  /** The step's waits and their bounds. */
  record Waits(Wait controller, Wait webhook, EndpointWait endpoint, Wait ip) {
    Waits {
      Objects.requireNonNull(controller, "controller");
      Objects.requireNonNull(webhook, "webhook");
      Objects.requireNonNull(endpoint, "endpoint");
      Objects.requireNonNull(ip, "ip");
    }
  }

  /**
   * The wait for Cilium's mesh endpoint Service: re-checked and nudged by the kit as any {@link
   * Wait}, but bounded by the step itself ({@code timeout}, on the step's clock), because what ends
   * it is a terminal failure that names what was seen: waiting longer or running the step again
   * does not install a Service. The kit's bound ({@code until.timeout()}) lies {@link
   * #SAFETY_MARGIN} beyond, so the kit's retryable time-out does not come first.
   */
  record EndpointWait(Wait until, Duration timeout) {
    /** How much later than {@code timeout} the kit's own bound lies. */
    static final Duration SAFETY_MARGIN = Duration.ofSeconds(30);

    /** The setting that holds {@code timeout}. */
    static final String SETTING = "mesh.metallb.endpoint-timeout";

    EndpointWait {
      Objects.requireNonNull(until, "until");
      Objects.requireNonNull(timeout, "timeout");
    }
  }

  private enum Phase {
    LOOK,
    INSTALL,
    CONTROLLER,
    POOL,
    SERVICE,
    IP
  }

  private final CiliumReady in;
  private final LbPlan plan;
  private final MetalLbPort metalLb;
  private final MeshEndpointPort endpoints;
  private final Waits waits;
  private final Clock clock;
  private Phase phase = Phase.LOOK;
  private AutoCloseable controllerWatch;
  private boolean refusedOnce;
  private Instant endpointDeadline;
  private boolean endpointAwaitedSaid;

  CiliumReadyStep(
      CiliumReady in,
      LbPlan plan,
      MetalLbPort metalLb,
      MeshEndpointPort endpoints,
      Waits waits,
      Clock clock) {
    this.in = in;
    this.plan = plan;
    this.metalLb = metalLb;
    this.endpoints = endpoints;
    this.waits = waits;
    this.clock = clock;
  }

  @Override
  public Next advance(StepContext ctx) {
    return switch (phase) {
      case LOOK -> look();
      case INSTALL -> install(ctx);
      case CONTROLLER -> controller();
      case POOL -> pool(ctx);
      case SERVICE -> service(ctx);
      case IP -> ip();
    };
  }

  private Next look() {
    Optional<String> ip =
        endpoints.assignedIp(ref()).filter(a -> plan.pool().judge(a) == IpVerdict.INSIDE_POOL);
    if (ip.isPresent()) {
      log.info("mesh endpoint of {} already has IP {}: reporting it", cluster(), ip.get());
      return done(ip.get());
    }
    return moveTo(Phase.INSTALL);
  }

  private Next install(StepContext ctx) {
    ctx.progress("installing MetalLB v" + plan.release().version());
    metalLb.install(ref());
    controllerWatch = ctx.keep(metalLb.watchController(ref(), ctx::nudge));
    ctx.progress("waiting for the MetalLB controller, then configuring the pool");
    return moveTo(Phase.CONTROLLER);
  }

  private Next controller() {
    Optional<String> notReady = metalLb.webhookNotReady(ref());
    if (notReady.isPresent()) {
      return Next.waitFor(waits.controller(), notReady.get());
    }
    log.info("MetalLB controller of {} is available and its webhook has its CA", cluster());
    closeControllerWatch();
    return moveTo(Phase.POOL);
  }

  private Next pool(StepContext ctx) {
    PoolWrite write = metalLb.configurePool(ref(), plan.pool());
    if (write instanceof PoolWrite.NotServedYet notServed) {
      if (!refusedOnce) {
        refusedOnce = true;
        ctx.progress(
            "MetalLB's webhook does not answer yet, writing the pool again shortly: "
                + notServed.reason());
      }
      return Next.waitFor(waits.webhook(), notServed.reason());
    }
    PoolWrite.Stored stored = (PoolWrite.Stored) write;
    if (!plan.pool().acceptedAs(stored.addresses())) {
      throw new TerminalFailure(
          "METALLB_POOL_NOT_ACCEPTED",
          "IPAddressPool "
              + AddressPoolSpec.POOL_NAME
              + " reads back spec.addresses "
              + stored.addresses()
              + " instead of "
              + plan.pool().addresses());
    }
    log.info("MetalLB pool {} of {} configured", plan.pool().addresses(), cluster());
    return moveTo(Phase.SERVICE);
  }

  private Next service(StepContext ctx) {
    if (endpointDeadline == null) {
      // The watch comes first: a Service created after the first look wakes the step at once.
      ctx.keep(endpoints.watchService(ref(), ctx::nudge));
      endpointDeadline = clock.instant().plus(waits.endpoint().timeout());
    }
    Optional<EndpointDefect> defect = MeshEndpointService.defectOf(endpoints.serviceType(ref()));
    if (defect.isPresent()) {
      return awaitEndpoint(ctx, defect.get());
    }
    endpoints.applyOwnedFields(ref(), plan.endpoint());
    ctx.progress("waiting for MetalLB to assign an IP to " + ENDPOINT);
    return moveTo(Phase.IP);
  }

  /** Cilium's Service is missing or not a LoadBalancer: wait within the bound, then fail. */
  private Next awaitEndpoint(StepContext ctx, EndpointDefect defect) {
    if (!clock.instant().isBefore(endpointDeadline)) {
      throw new TerminalFailure(
          defect.code(),
          defect.failure(format(waits.endpoint().timeout()) + ", " + EndpointWait.SETTING));
    }
    if (!endpointAwaitedSaid) {
      endpointAwaitedSaid = true;
      log.warn("{}: {}; waiting for cni-service's Cilium to bring it", cluster(), defect.seen());
      ctx.progress(
          "waiting for " + ENDPOINT + " of type LoadBalancer from Cilium: " + defect.seen());
    }
    return Next.waitFor(waits.endpoint().until(), defect.seen());
  }

  private Next ip() {
    Optional<String> ip = endpoints.assignedIp(ref());
    if (ip.isEmpty()) {
      return Next.waitFor(
          waits.ip(),
          "Service "
              + ENDPOINT
              + " has no status.loadBalancer.ingress IP; is the MetalLB speaker running and the"
              + " pool "
              + plan.pool().addresses()
              + " free?");
    }
    return done(checked(ip.get()));
  }

  private String checked(String ip) {
    return switch (plan.pool().judge(ip)) {
      case INSIDE_POOL -> ip;
      case OUTSIDE_POOL ->
          throw new TerminalFailure(
              "LB_IP_OUTSIDE_POOL",
              "status.loadBalancer.ingress[0].ip "
                  + ip
                  + " of the mesh endpoint lies outside the cluster's lbAddressPool "
                  + plan.pool().addresses());
      case NOT_IPV4 ->
          throw new TerminalFailure(
              "LB_IP_NOT_IPV4",
              "status.loadBalancer.ingress[0].ip '" + ip + "' of the mesh endpoint is not IPv4");
    };
  }

  private Next done(String ip) {
    log.info("mesh endpoint of {} is {}:{}", cluster(), ip, MeshEndpointService.PORT);
    return Next.done(
        new LbIpAssigned(
            in.cluster(), in.nodes(), in.kubeconfigRef(), ip, MeshEndpointService.PORT));
  }

  /** The controller watch is of no use after this phase: free its connection early. */
  private void closeControllerWatch() {
    if (controllerWatch != null) {
      try {
        controllerWatch.close();
      } catch (Exception e) {
        log.debug("closing the MetalLB controller watch of {} failed: {}", cluster(), e.toString());
      }
      controllerWatch = null;
    }
  }

  /** As the kit writes a bound: {@code 1m}, {@code 30s}. */
  private static String format(Duration d) {
    return d.toString().substring(2).toLowerCase(Locale.ROOT);
  }

  private Next moveTo(Phase next) {
    phase = next;
    return Next.again();
  }

  private String ref() {
    return in.kubeconfigRef();
  }

  private String cluster() {
    return in.cluster().name();
  }
}
