package io.meshorch.rke.application;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshorch.contracts.ClusterFailed;
import io.meshorch.contracts.ClusterUp;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.EventType;
import io.meshorch.contracts.MeshEvent;
import io.meshorch.contracts.Topics;
import io.meshorch.contracts.VmsReady;
import io.meshorch.kit.retry.Backoff;
import io.meshorch.kit.step.Plan;
import io.meshorch.kit.step.Recheck;
import io.meshorch.kit.step.StepEngine;
import io.meshorch.kit.step.StepRoute;
import io.meshorch.kit.step.TriggerRef;
import io.meshorch.testkit.Samples;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Failed {@code rke up} runs under the kit's real step engine: the engine's step retry runs them
 * again, and {@code step-retry.attempts} bounds the number of failed runs although every run starts
 * with a call that succeeds.
 */
class FailedRunsThroughTheKitTest {
  private static final int ATTEMPTS = 3;

  private final List<EventEnvelope> published = new CopyOnWriteArrayList<>();
  private final Fakes.Deployer deployer = new Fakes.Deployer(Clock.systemUTC());
  private final StepEngine engine =
      new StepEngine(
          published::add,
          (topic, event, reason) -> {},
          "rke-service",
          2,
          new Recheck(Duration.ofMillis(5), Duration.ofMillis(20), 1.5),
          new Backoff(ATTEMPTS, Duration.ofMillis(10), Duration.ofMillis(40), 2.0));

  @AfterEach
  void stop() {
    engine.stop(Duration.ofSeconds(5));
  }

  private MeshEvent run(EventEnvelope event) {
    VmsReadySteps steps =
        new VmsReadySteps(
            new Fakes.Nodes(),
            deployer,
            new Fakes.Secrets(),
            new RkeStepSettings(
                22,
                Path.of("/keys/id"),
                null,
                Duration.ofSeconds(30),
                Duration.ofMinutes(15),
                Duration.ofMinutes(30),
                null,
                Duration.ofSeconds(120)),
            Clock.systemUTC(),
            ForkJoinPool.commonPool());
    StepRoute route =
        new StepRoute() {
          @Override
          public EventType type() {
            return EventType.VMS_READY;
          }

          @Override
          public String stage() {
            return "kubernetes";
          }

          @Override
          public Plan plan(EventEnvelope e) {
            return Plan.step(e, () -> steps.stepFor(e));
          }
        };
    Plan.Steps plan = (Plan.Steps) route.plan(event);
    engine.start(route, event, plan.steps().get(0), new TriggerRef(Topics.INFRA, 0, 0));
    return await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                published.stream()
                    .map(EventEnvelope::payload)
                    .filter(p -> p instanceof ClusterUp || p instanceof ClusterFailed)
                    .findFirst(),
            java.util.Optional::isPresent)
        .orElseThrow();
  }

  private static EventEnvelope vmsReady() {
    var east = Samples.cluster("east", 1, 2);
    return EventEnvelope.create(
        "demo",
        "east",
        UUID.randomUUID(),
        "infra-service",
        new VmsReady(
            east,
            "stack",
            Samples.nodes("demo", east).stream()
                .map(
                    n ->
                        new io.meshorch.contracts.NodeInfo(
                            n.name(),
                            n.serverId(),
                            n.portId(),
                            n.address(),
                            List.of("SHA256:" + "x".repeat(43))))
                .toList()));
  }

  @ParameterizedTest(name = "{0} failed run(s) before a good one")
  @ValueSource(ints = {1, ATTEMPTS - 1})
  void runsAFailedRkeUpAgainUntilItSucceeds(int failures) {
    deployer.failuresToCome.set(failures);

    MeshEvent outcome = run(vmsReady());

    assertThat(outcome).isInstanceOf(ClusterUp.class);
    assertThat(deployer.started).hasSize(failures + 1);
  }

  @Test
  void givesUpRetryablyAfterStepRetryAttemptsFailedRuns() {
    deployer.failuresToCome.set(100);

    MeshEvent outcome = run(vmsReady());

    assertThat(outcome)
        .isInstanceOfSatisfying(
            ClusterFailed.class,
            f -> {
              assertThat(f.code()).isEqualTo("RKE_UP_FAILED");
              assertThat(f.retryable()).isTrue();
              assertThat(f.stage()).isEqualTo("kubernetes");
              assertThat(f.reason()).contains(ATTEMPTS + " failed run(s)", "FATA[0120]");
            });
    assertThat(deployer.started).hasSize(ATTEMPTS);
  }
}
