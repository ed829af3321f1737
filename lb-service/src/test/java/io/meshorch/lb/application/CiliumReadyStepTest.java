package io.meshorch.lb.application;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshorch.contracts.CiliumReady;
import io.meshorch.contracts.ClusterFailed;
import io.meshorch.contracts.ClusterSpec;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.LbIpAssigned;
import io.meshorch.contracts.Stage;
import io.meshorch.kit.step.Plan;
import io.meshorch.kit.step.Step;
import io.meshorch.kit.step.StepDriver;
import io.meshorch.kit.step.StepDriver.Result;
import io.meshorch.lb.application.Fakes.FakeMeshEndpoint;
import io.meshorch.lb.application.Fakes.FakeMetalLb;
import io.meshorch.lb.domain.MetalLbRelease;
import io.meshorch.testkit.MutableClock;
import io.meshorch.testkit.Samples;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CiliumReadyStepTest {
  private static final String REF = "meshes/demo/clusters/east/kubeconfig";
  private static final String POOL = "192.168.51.10-192.168.51.19";

  private final FakeMetalLb metalLb = new FakeMetalLb();
  private final FakeMeshEndpoint endpoints = new FakeMeshEndpoint();
  private final MutableClock clock = new MutableClock();

  private LoadBalancerSteps steps(boolean pin) {
    return new LoadBalancerSteps(
        metalLb,
        endpoints,
        new LbStepSettings(
            new MetalLbRelease("0.15.3"),
            pin,
            Duration.ofMinutes(3),
            Duration.ofMinutes(1),
            Duration.ofMinutes(1),
            Duration.ofMinutes(2)),
        clock);
  }

  private static EventEnvelope ciliumReady(ClusterSpec spec) {
    return EventEnvelope.create(
        "demo",
        spec.name(),
        UUID.randomUUID(),
        "cni-service",
        new CiliumReady(spec, Samples.nodes("demo", spec), REF, "1.18.2"));
  }

  private static EventEnvelope ciliumReady() {
    return ciliumReady(Samples.cluster("east", 1, 2));
  }

  /** The one step {@code event} starts, as the kit would make it. */
  private static Step stepOf(LoadBalancerSteps steps, EventEnvelope event) {
    Plan.Steps plan = (Plan.Steps) steps.planFor(event);
    assertThat(plan.steps()).singleElement();
    assertThat(plan.steps().get(0).key().causationId()).isEqualTo(event.eventId());
    assertThat(plan.steps().get(0).key().cluster()).isEqualTo(event.cluster());
    return plan.steps().get(0).step().get();
  }

  private Result run(EventEnvelope event, StepDriver driver, int maxCalls) {
    return driver.run(stepOf(steps(false), event), maxCalls);
  }

  private static LbIpAssigned expected(EventEnvelope in, String ip) {
    CiliumReady cause = (CiliumReady) in.payload();
    return new LbIpAssigned(cause.cluster(), cause.nodes(), REF, ip, 2379);
  }

  @Test
  void installsMetalLbWaitsForItsControllerThenConfiguresThePoolAndReportsTheIp() {
    metalLb.checksBeforeAvailable = 3;
    endpoints.checksBeforeIp = 4;
    EventEnvelope in = ciliumReady();
    StepDriver driver = new StepDriver(in, Stage.LOAD_BALANCER);

    Result result = run(in, driver, 50);

    assertThat(result).isEqualTo(new Result.Done(expected(in, "192.168.51.10")));
    assertThat(metalLb.installs).isEqualTo(1);
    assertThat(metalLb.pools.get(REF)).containsExactly(POOL);
    assertThat(metalLb.poolWritesWhileControllerUnavailable).isZero();
    assertThat(endpoints.services.get(REF).pinnedIp()).isEmpty();
    assertThat(driver.progress())
        .containsExactly(
            "installing MetalLB v0.15.3",
            "waiting for the MetalLB controller, then configuring the pool",
            "waiting for MetalLB to assign an IP to kube-system/clustermesh-apiserver");
    assertThat(metalLb.controllerWatches.opened).isEqualTo(1);
    assertThat(endpoints.serviceWatches.opened).isEqualTo(1);
    assertThat(metalLb.controllerWatches.open + endpoints.serviceWatches.open)
        .as("watches are closed when the step ends")
        .isZero();
    assertThat(driver.nudges()).as("each watch that saw its change nudged the step").isEqualTo(2);
  }

  @Test
  void keepsWritingThePoolWhileTheWebhookIsNotServedYetSaysSoOnceThenGoesOn() {
    metalLb.webhookRefusals = 3;
    EventEnvelope in = ciliumReady();
    StepDriver driver = new StepDriver(in, Stage.LOAD_BALANCER);

    Result result = run(in, driver, 50);

    assertThat(result).isEqualTo(new Result.Done(expected(in, "192.168.51.10")));
    assertThat(metalLb.poolWrites).isEqualTo(4);
    assertThat(driver.progress())
        .filteredOn(p -> p.contains("webhook"))
        .singleElement()
        .asString()
        .startsWith("MetalLB's webhook does not answer yet, writing the pool again shortly:")
        .contains("failed calling webhook \"ipaddresspoolvalidationwebhook.metallb.io\"");
    assertThat(metalLb.pools.get(REF)).containsExactly(POOL);
    assertThat(endpoints.applyCalls).isEqualTo(1);
  }

  @ParameterizedTest(name = "{0} never comes: waits for {1}, else {2} naming {3}")
  @CsvSource({
    "controller, MetalLB controller, METALLB_CONTROLLER_NOT_READY,"
        + " mesh.metallb.controller-timeout, has no available replica",
    "webhook, MetalLB webhook, METALLB_WEBHOOK_NOT_READY, mesh.metallb.webhook-timeout,"
        + " failed calling webhook",
    "ip, LoadBalancer IP of kube-system/clustermesh-apiserver, LB_IP_TIMEOUT,"
        + " mesh.metallb.ip-timeout, is the MetalLB speaker running and the pool ["
        + POOL
        + "] free?",
  })
  void waitsBoundedForWhatDoesNotComeAndSaysWhatItLastSaw(
      String missing, String wait, String timeoutCode, String setting, String status) {
    switch (missing) {
      case "controller" -> metalLb.checksBeforeAvailable = Integer.MAX_VALUE;
      case "webhook" -> metalLb.webhookRefusals = Integer.MAX_VALUE;
      default -> endpoints.nextIp = null;
    }
    EventEnvelope in = ciliumReady();

    Result result = run(in, new StepDriver(in, Stage.LOAD_BALANCER), 30);

    assertThat(result)
        .isInstanceOfSatisfying(
            Result.StillWaiting.class,
            w -> {
              assertThat(w.until().name()).isEqualTo(wait);
              assertThat(w.until().timeoutCode()).isEqualTo(timeoutCode);
              assertThat(w.until().setting()).isEqualTo(setting);
              assertThat(w.status()).contains(status);
            });
    if (!"ip".equals(missing)) {
      assertThat(endpoints.services).as("no Service before MetalLB took the pool").isEmpty();
    }
  }

  @Test
  void watchesTheControllerWhileAwaitingItAndTheServiceWhileAwaitingItsIp() {
    endpoints.checksBeforeIp = 3;
    EventEnvelope in = ciliumReady();
    List<String> openWhileWaiting = new ArrayList<>();
    StepDriver driver =
        new StepDriver(in, Stage.LOAD_BALANCER)
            .beforeRecheck(
                () ->
                    openWhileWaiting.add(
                        "controller "
                            + metalLb.controllerWatches.open
                            + ", service "
                            + endpoints.serviceWatches.open));

    Result result = run(in, driver, 50);

    assertThat(result).isInstanceOf(Result.Done.class);
    assertThat(openWhileWaiting)
        .containsSubsequence("controller 1, service 0", "controller 0, service 1")
        .containsOnly("controller 1, service 0", "controller 0, service 1");
    assertThat(metalLb.controllerWatches.open + endpoints.serviceWatches.open).isZero();
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({"10.9.9.9, LB_IP_OUTSIDE_POOL", "fd00::1, LB_IP_NOT_IPV4"})
  void failsTerminallyWhenTheAssignedIpCannotBeTheMeshEndpoint(String ip, String code) {
    endpoints.nextIp = ip;
    EventEnvelope in = ciliumReady();

    Result result = run(in, new StepDriver(in, Stage.LOAD_BALANCER), 50);

    assertThat(result)
        .isInstanceOfSatisfying(
            Result.Failed.class,
            f -> {
              assertThat(f.failure().code()).isEqualTo(code);
              assertThat(f.failure().retryable()).isFalse();
              assertThat(f.failure().getMessage()).contains(ip);
            });
  }

  @Test
  void namesThePoolWhenTheIpLiesOutsideIt() {
    endpoints.nextIp = "10.9.9.9";
    EventEnvelope in = ciliumReady();

    Result result = run(in, new StepDriver(in, Stage.LOAD_BALANCER), 50);

    assertThat(((Result.Failed) result).failure().getMessage()).contains(POOL);
  }

  @Test
  void aFreshStepForTheSameCiliumReadyInstallsNothingAndReportsTheSameIp() {
    EventEnvelope in = ciliumReady();
    Result first = run(in, new StepDriver(in, Stage.LOAD_BALANCER), 50);
    StepDriver replay = new StepDriver(in, Stage.LOAD_BALANCER);

    Result second = run(in, replay, 50);

    assertThat(first).isInstanceOf(Result.Done.class);
    assertThat(second).isEqualTo(first);
    assertThat(replay.calls()).isEqualTo(1);
    assertThat(metalLb.installs).isEqualTo(1);
    assertThat(metalLb.poolWrites).isEqualTo(1);
    assertThat(endpoints.applyCalls).isEqualTo(1);
    assertThat(replay.progress()).isEmpty();
  }

  @Test
  void aStepResumedWhileWaitingForTheIpConvergesOnTheSameObjects() {
    endpoints.nextIp = null;
    EventEnvelope in = ciliumReady();
    Result stopped = run(in, new StepDriver(in, Stage.LOAD_BALANCER), 12);
    endpoints.nextIp = "192.168.51.11";

    Result resumed = run(in, new StepDriver(in, Stage.LOAD_BALANCER), 50);

    assertThat(stopped).isInstanceOf(Result.StillWaiting.class);
    assertThat(resumed).isEqualTo(new Result.Done(expected(in, "192.168.51.11")));
    assertThat(metalLb.pools).containsOnlyKeys(REF);
    assertThat(endpoints.services).containsOnlyKeys(REF);
    assertThat(metalLb.controllerWatches.open + endpoints.serviceWatches.open).isZero();
  }

  @Test
  void failsTerminallyWhenMetalLbDropsThePool() {
    metalLb.admission = written -> List.of();
    EventEnvelope in = ciliumReady();

    Result result = run(in, new StepDriver(in, Stage.LOAD_BALANCER), 50);

    assertThat(result)
        .isInstanceOfSatisfying(
            Result.Failed.class,
            f -> {
              assertThat(f.failure().code()).isEqualTo("METALLB_POOL_NOT_ACCEPTED");
              assertThat(f.failure().retryable()).isFalse();
            });
    assertThat(endpoints.services).isEmpty();
  }

  @Test
  void pinsTheFirstPoolAddressWhenConfigured() {
    EventEnvelope in = ciliumReady();

    new StepDriver(in, Stage.LOAD_BALANCER).run(stepOf(steps(true), in), 50);

    assertThat(endpoints.services.get(REF).pinnedIp()).contains("192.168.51.10");
  }

  @Test
  void waitsForCiliumsServiceWatchingItAndGoesOnOnceItIsThere() {
    endpoints.type = null;
    EventEnvelope in = ciliumReady();
    StepDriver driver =
        new StepDriver(in, Stage.LOAD_BALANCER)
            .beforeRecheck(
                () -> {
                  if (endpoints.type == null && endpoints.typeChecks == 3) {
                    assertThat(endpoints.serviceWatches.open)
                        .as("the Service is watched while it is awaited")
                        .isEqualTo(1);
                    clock.advance(Duration.ofSeconds(50));
                    endpoints.ciliumSets("LoadBalancer");
                  }
                });

    Result result = run(in, driver, 50);

    assertThat(result).isEqualTo(new Result.Done(expected(in, "192.168.51.10")));
    assertThat(driver.progress())
        .containsExactly(
            "installing MetalLB v0.15.3",
            "waiting for the MetalLB controller, then configuring the pool",
            "waiting for kube-system/clustermesh-apiserver of type LoadBalancer from Cilium:"
                + " Service kube-system/clustermesh-apiserver does not exist",
            "waiting for MetalLB to assign an IP to kube-system/clustermesh-apiserver");
    assertThat(endpoints.serviceWatches.opened).isEqualTo(1);
    assertThat(endpoints.serviceWatches.open).isZero();
  }

  @ParameterizedTest(name = "Service of type {0} -> {1}")
  @CsvSource(
      nullValues = "none",
      value = {
        "none, MESH_ENDPOINT_MISSING, Service kube-system/clustermesh-apiserver does not exist",
        "NodePort, MESH_ENDPOINT_NOT_LOADBALANCER, 'Service kube-system/clustermesh-apiserver has"
            + " spec.type NodePort, expected spec.type LoadBalancer'",
      })
  void failsTerminallyOnceTheBoundPassesWhenCiliumsServiceIsMissingOrNotALoadBalancer(
      String type, String code, String seen) {
    endpoints.type = type;
    EventEnvelope in = ciliumReady();
    StepDriver driver =
        new StepDriver(in, Stage.LOAD_BALANCER)
            .beforeRecheck(() -> clock.advance(Duration.ofSeconds(7)));

    Result result = driver.run(stepOf(steps(true), in), 60);

    assertThat(result)
        .isInstanceOfSatisfying(
            Result.Failed.class,
            f -> {
              assertThat(f.failure().code()).isEqualTo(code);
              assertThat(f.failure().retryable())
                  .as("waiting or running again fixes nothing")
                  .isFalse();
              assertThat(f.failure().getMessage())
                  .startsWith(seen)
                  .contains(
                      "(still after 1m, mesh.metallb.endpoint-timeout)",
                      "cni-service installs it from the Cilium chart",
                      "clustermesh.apiserver.service.type=LoadBalancer",
                      "it must exist and be of type LoadBalancer",
                      "To fix: check",
                      "kubectl -n kube-system get service clustermesh-apiserver");
            });
    assertThat(endpoints.services).as("nothing applied on a Service that cannot serve").isEmpty();
    assertThat(endpoints.serviceWatches.open).isZero();
    assertThat(driver.progress())
        .last()
        .asString()
        .startsWith(
            "waiting for kube-system/clustermesh-apiserver of type LoadBalancer from Cilium: "
                + seen);
  }

  @Test
  void waitsForCiliumsServiceWithinTheBoundOnTheKitsRechecks() {
    endpoints.type = "ClusterIP";
    EventEnvelope in = ciliumReady();

    Result result = run(in, new StepDriver(in, Stage.LOAD_BALANCER), 30);

    assertThat(result)
        .isInstanceOfSatisfying(
            Result.StillWaiting.class,
            w -> {
              assertThat(w.until().name())
                  .isEqualTo("Service kube-system/clustermesh-apiserver of type LoadBalancer");
              assertThat(w.until().setting()).isEqualTo("mesh.metallb.endpoint-timeout");
              assertThat(w.until().timeout())
                  .as("the kit's own bound lies beyond the step's, whose failure is terminal")
                  .isGreaterThan(Duration.ofMinutes(1));
              assertThat(w.status()).contains("spec.type ClusterIP");
            });
    assertThat(endpoints.services).isEmpty();
  }

  @Test
  void answersAMalformedPoolAtOnceWithoutTouchingTheCluster() {
    ClusterSpec s = Samples.cluster("east", 1, 1);
    ClusterSpec bad =
        new ClusterSpec(
            s.name(), s.id(), 1, s.podCidr(), s.serviceCidr(), "192.168.1.0/33", s.machine());

    Plan plan = steps(false).planFor(ciliumReady(bad));

    assertThat(plan)
        .isInstanceOfSatisfying(
            Plan.Answer.class,
            a ->
                assertThat(a.outcome())
                    .isInstanceOfSatisfying(
                        ClusterFailed.class,
                        f -> {
                          assertThat(f.stage()).isEqualTo(Stage.LOAD_BALANCER);
                          assertThat(f.code()).isEqualTo("LB_POOL_INVALID");
                          assertThat(f.reason()).contains("cluster.lbAddressPool");
                          assertThat(f.retryable()).isFalse();
                        }));
    assertThat(metalLb.installs).isZero();
  }
}
