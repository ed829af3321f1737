package io.meshorch.kit.step;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshorch.contracts.ClusterFailed;
import io.meshorch.contracts.ClusterUp;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.EventType;
import io.meshorch.contracts.ProgressReported;
import io.meshorch.contracts.VmsReady;
import io.meshorch.kit.failure.TerminalFailure;
import io.meshorch.kit.failure.Throttled;
import io.meshorch.kit.failure.TransientFailure;
import io.meshorch.kit.metrics.MeshMetrics;
import io.meshorch.kit.port.DeadLetterPort;
import io.meshorch.kit.port.EventPublisherPort;
import io.meshorch.kit.retry.Backoff;
import io.meshorch.testkit.Samples;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StepEngineTest {
  private static final Recheck FAST = new Recheck(Duration.ofMillis(10), Duration.ofMillis(50), 2);
  private static final Wait WAIT =
      Wait.of("the thing", Duration.ofSeconds(30), "THING_TIMEOUT", "test.thing-timeout");

  private final Published published = new Published();
  private final List<String> deadLettered = new CopyOnWriteArrayList<>();
  private final DeadLetterPort deadLetters =
      (topic, event, reason) -> deadLettered.add(topic + ": " + reason);
  private StepEngine engine = engine(published, 4);

  private StepEngine engine(EventPublisherPort publisher, int workers) {
    return new StepEngine(
        publisher,
        deadLetters,
        "test-service",
        workers,
        FAST,
        new Backoff(3, Duration.ofMillis(10), Duration.ofMillis(20), 2));
  }

  @AfterEach
  void stop() {
    engine.stop(Duration.ofSeconds(5));
  }

  @Test
  void publishesTheOutcomeOnceTheAwaitedThingIsThere() {
    AtomicInteger checks = new AtomicInteger();
    EventEnvelope trigger = start(ctx -> checks.incrementAndGet() < 4 ? waiting("not yet") : up());

    EventEnvelope outcome = awaitOutcome(trigger);

    assertThat(outcome.payload()).isInstanceOf(ClusterUp.class);
    assertThat(outcome.cluster()).isEqualTo("east");
    assertThat(checks).hasValue(4);
    assertThat(engine.inFlight()).isZero();
  }

  @Test
  void thousandsOfWaitingStepsNeedNoMoreThreadsThanThePool() {
    int steps = 3_000;
    AtomicBoolean released = new AtomicBoolean();
    AtomicInteger looked = new AtomicInteger();
    int threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();
    for (int i = 0; i < steps; i++) {
      start(
          ctx -> {
            looked.incrementAndGet();
            return released.get() ? up() : waiting("later");
          });
    }
    // every step has looked at least once and waits for its re-check, holding no thread
    await().atMost(Duration.ofSeconds(60)).until(() -> looked.get() >= steps);
    assertThat(engine.inFlight()).isEqualTo(steps);
    long engineThreadsWhileWaiting =
        Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.getName().startsWith("test-service-steps"))
            .count();
    int threadsWhileWaiting = ManagementFactory.getThreadMXBean().getThreadCount();

    released.set(true);

    await().atMost(Duration.ofSeconds(60)).until(() -> published.outcomes().size() == steps);
    // the engine holds its 4 workers and 1 timer, whatever the number of waiting steps; the
    // process as a whole grows by a handful (test tooling, JIT), never by thousands
    assertThat(engineThreadsWhileWaiting).isLessThanOrEqualTo(4 + 1);
    assertThat(threadsWhileWaiting - threadsBefore).isLessThan(50);
    assertThat(published.outcomes()).allMatch(e -> e.payload() instanceof ClusterUp);
  }

  @Test
  void aWaitPastItsTimeoutEndsInARetryableFailureNamingTheSetting() {
    Wait shortWait =
        Wait.of(
            "Heat stack", Duration.ofMillis(200), "HEAT_STACK_TIMEOUT", "mesh.vms.stack-timeout");
    EventEnvelope trigger = start(ctx -> Next.waitFor(shortWait, "CREATE_IN_PROGRESS"));

    ClusterFailed failed = (ClusterFailed) awaitOutcome(trigger).payload();

    assertThat(failed.code()).isEqualTo("HEAT_STACK_TIMEOUT");
    assertThat(failed.retryable()).isTrue();
    assertThat(failed.stage()).isEqualTo("kubernetes");
    assertThat(failed.reason())
        .contains("Heat stack", "mesh.vms.stack-timeout", "CREATE_IN_PROGRESS");
  }

  /**
   * A step whose own checks run elsewhere (sent to several nodes at once) answers "working" until
   * they end: those calls found nothing not ready, so the back-off stays where the last real check
   * left it. Were they counted, this wait's back-off (x10 per check, up to a minute) would put the
   * call after the one real check a minute away.
   */
  @Test
  void callsThatOnlyFindTheirOwnWorkUnderWayDoNotGrowTheBackoff() {
    Wait slowBackoff =
        WAIT.rechecking(new Recheck(Duration.ofMillis(100), Duration.ofMinutes(1), 10));
    AtomicInteger calls = new AtomicInteger();
    EventEnvelope trigger =
        start(
            ctx -> {
              int call = calls.incrementAndGet();
              if (call <= 5) {
                // the work "ends" at once, on another thread, and nudges the step
                new Thread(ctx::nudge).start();
                return Next.working(slowBackoff, "checking " + call);
              }
              return call == 6 ? Next.waitFor(slowBackoff, "one node not ready") : up();
            });

    EventEnvelope outcome = awaitOutcome(trigger);

    assertThat(outcome.payload()).isInstanceOf(ClusterUp.class);
    assertThat(calls).hasValue(7);
  }

  @Test
  void aStepThatIsWorkingStillEndsWhenItsWaitTimesOut() {
    Wait shortWait =
        Wait.of("nodes ready", Duration.ofMillis(300), "NODE_NOT_READY", "mesh.ssh.ready-timeout");
    EventEnvelope trigger =
        // its work never ends: only the re-checks call it again
        start(ctx -> Next.working(shortWait, "probing node-1"));

    ClusterFailed failed = (ClusterFailed) awaitOutcome(trigger).payload();

    assertThat(failed.code()).isEqualTo("NODE_NOT_READY");
    assertThat(failed.reason()).contains("mesh.ssh.ready-timeout", "probing node-1");
  }

  /**
   * A wait's beginning is published (durable on the own topic) and the journal keeps it: a step
   * resumed after a restart in the same wait counts the wait's time limit from then, so a service
   * that restarts again and again still ends a wait that never comes true.
   */
  @Test
  void aResumedStepKeepsTheTimeLimitOfTheWaitItHadBegun() {
    Wait stack = Wait.of("Heat stack", Duration.ofMinutes(30), "HEAT_STACK_TIMEOUT", "t.timeout");
    EventEnvelope trigger = start(ctx -> Next.waitFor(stack, "CREATE_IN_PROGRESS"));
    StepKey key = new StepKey(trigger.eventId(), "east");
    EventEnvelope begun =
        await()
            .atMost(Duration.ofSeconds(10))
            .until(
                () ->
                    published.events().stream()
                        .filter(
                            e ->
                                e.payload() instanceof ProgressReported p && p.waitingFor() != null)
                        .findFirst()
                        .orElse(null),
                e -> e != null);
    assertThat(begun.payload())
        .isEqualTo(
            new ProgressReported(
                "kubernetes", "waiting for Heat stack (at most 30m)", "Heat stack"));
    assertThat(begun.causationId()).isEqualTo(trigger.eventId());
    StepJournal journal = new StepJournal();
    published.events().forEach(journal::record);
    assertThat(journal.waiting(key))
        .contains(new StepJournal.Waiting("Heat stack", begun.occurredAt()));

    // The service stops; it restarts 31 minutes after the wait began (as if it had been crashing).
    engine.stop(Duration.ofSeconds(5));
    engine = engine(published, 4);
    engine.start(
        ROUTE,
        trigger,
        new Plan.Planned(key, () -> stepOf(ctx -> Next.waitFor(stack, "CREATE_IN_PROGRESS"))),
        SOURCE,
        null,
        new StepJournal.Waiting("Heat stack", begun.occurredAt().minus(Duration.ofMinutes(31))));

    ClusterFailed failed = (ClusterFailed) awaitOutcome(trigger).payload();
    assertThat(failed.code()).isEqualTo("HEAT_STACK_TIMEOUT");
    assertThat(failed.retryable()).isTrue();
  }

  @Test
  void aResumedStepWhoseFirstWaitIsAnotherStartsThatWaitsClockNow() {
    Wait console = Wait.of("console", Duration.ofMinutes(30), "CONSOLE_TIMEOUT", "t.timeout");
    AtomicInteger checks = new AtomicInteger();
    EventEnvelope trigger = trigger("east");
    StepKey key = new StepKey(trigger.eventId(), "east");
    engine.start(
        ROUTE,
        trigger,
        new Plan.Planned(
            key,
            () -> stepOf(ctx -> checks.incrementAndGet() < 5 ? Next.waitFor(console, "") : up())),
        SOURCE,
        null,
        new StepJournal.Waiting("Heat stack", java.time.Instant.now().minus(Duration.ofHours(1))));

    assertThat(awaitOutcome(trigger).payload()).isInstanceOf(ClusterUp.class);
    assertThat(published.events())
        .filteredOn(e -> e.payload() instanceof ProgressReported p && p.waitingFor() != null)
        .extracting(e -> ((ProgressReported) e.payload()).waitingFor())
        .containsExactly("console");
  }

  @Test
  void retriesTransientFailuresAndCarriesOn() {
    AtomicInteger calls = new AtomicInteger();
    EventEnvelope trigger =
        start(
            ctx -> {
              if (calls.incrementAndGet() <= 2) {
                throw new TransientFailure("API_DOWN", "503 from the API");
              }
              return up();
            });

    assertThat(awaitOutcome(trigger).payload()).isInstanceOf(ClusterUp.class);
    assertThat(calls).hasValue(3);
  }

  @Test
  void aThrottledCallIsNoAttemptAndComesBackNoSoonerThanItWasTold() {
    // Three attempts are allowed; a call held back by a rate limit ten times is none of them.
    List<Long> calledAt = new CopyOnWriteArrayList<>();
    EventEnvelope trigger =
        start(
            ctx -> {
              calledAt.add(System.nanoTime());
              if (calledAt.size() <= 10) {
                throw new Throttled("RATE_LIMIT_WAIT", "no slot yet", Duration.ofMillis(30));
              }
              return up();
            });

    assertThat(awaitOutcome(trigger).payload()).isInstanceOf(ClusterUp.class);
    assertThat(calledAt).hasSize(11);
    for (int i = 1; i < calledAt.size(); i++) {
      assertThat(calledAt.get(i) - calledAt.get(i - 1))
          .isGreaterThanOrEqualTo(Duration.ofMillis(30).toNanos());
    }
  }

  @Test
  void givesUpWithARetryableFailureAfterTheAttemptsInARow() {
    AtomicInteger calls = new AtomicInteger();
    EventEnvelope trigger =
        start(
            ctx -> {
              calls.incrementAndGet();
              throw new TransientFailure("API_DOWN", "503 from the API");
            });

    ClusterFailed failed = (ClusterFailed) awaitOutcome(trigger).payload();

    assertThat(failed)
        .isEqualTo(new ClusterFailed("kubernetes", "API_DOWN", "503 from the API", true));
    assertThat(calls).hasValue(3);
    assertThat(deadLettered).isEmpty();
  }

  @Test
  void aCommandThatFailsAgainInTheSameWaitIsRunAtMostTheAttemptsAlthoughEachRunStartsFine() {
    AtomicInteger runs = new AtomicInteger();
    AtomicBoolean running = new AtomicBoolean();
    EventEnvelope trigger =
        start(
            ctx -> {
              if (!running.get()) {
                runs.incrementAndGet();
                running.set(true);
                return waiting("rke up running");
              }
              running.set(false);
              throw new TransientFailure("RKE_UP_FAILED", "rke up exited with 1");
            });

    ClusterFailed failed = (ClusterFailed) awaitOutcome(trigger).payload();

    assertThat(failed.code()).isEqualTo("RKE_UP_FAILED");
    assertThat(failed.retryable()).isTrue();
    assertThat(runs).hasValue(3);
  }

  @Test
  void failuresInAnEarlierPhaseDoNotCountAgainstTheNextOne() {
    AtomicInteger calls = new AtomicInteger();
    Wait second = Wait.of("the second thing", Duration.ofSeconds(30), "T2", "test.t2");
    EventEnvelope trigger =
        start(
            ctx -> {
              int n = calls.incrementAndGet();
              if (n == 1 || n == 2) {
                throw new TransientFailure("FIRST", "first phase blip");
              }
              if (n == 3) {
                return Next.waitFor(second, "moved on");
              }
              if (n == 4 || n == 5) {
                throw new TransientFailure("SECOND", "second phase blip");
              }
              return up();
            });

    assertThat(awaitOutcome(trigger).payload()).isInstanceOf(ClusterUp.class);
    assertThat(calls).hasValue(6);
  }

  @Test
  void aTerminalFailureEndsTheStepAtOnce() {
    AtomicInteger calls = new AtomicInteger();
    EventEnvelope trigger =
        start(
            ctx -> {
              calls.incrementAndGet();
              throw new TerminalFailure("CLUSTER_SPEC_INVALID", "nodes[0].address is blank");
            });

    ClusterFailed failed = (ClusterFailed) awaitOutcome(trigger).payload();

    assertThat(failed.retryable()).isFalse();
    assertThat(failed.code()).isEqualTo("CLUSTER_SPEC_INVALID");
    assertThat(calls).hasValue(1);
  }

  @Test
  void recordsStepDurationsByStageAndOutcomeFailuresByCodeAndTheStepsInFlight() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    engine.stop(Duration.ofSeconds(5));
    engine =
        new StepEngine(
            published,
            deadLetters,
            "test-service",
            4,
            FAST,
            new Backoff(3, Duration.ofMillis(10), Duration.ofMillis(20), 2),
            new MeshMetrics(registry, "test-service"));
    AtomicBoolean released = new AtomicBoolean();
    start(ctx -> released.get() ? up() : waiting("later"));
    start(
        ctx -> {
          throw new TerminalFailure("CLUSTER_SPEC_INVALID", "nodes[0].address is blank");
        });

    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> failures(registry, "CLUSTER_SPEC_INVALID") == 1.0);
    assertThat(registry.get(MeshMetrics.STEPS_IN_FLIGHT).gauge().value()).isEqualTo(1.0);
    released.set(true);
    await().atMost(Duration.ofSeconds(10)).until(() -> steps(registry, "completed") == 1);

    assertThat(steps(registry, "failed")).isEqualTo(1);
    assertThat(registry.get(MeshMetrics.STEPS_IN_FLIGHT).gauge().value()).isZero();
    assertThat(
            registry
                .get(MeshMetrics.STEP_DURATION)
                .tags("stage", "kubernetes", "outcome", "completed", "service", "test-service")
                .timer()
                .totalTime(java.util.concurrent.TimeUnit.MILLISECONDS))
        .isPositive();
  }

  private static double failures(SimpleMeterRegistry registry, String code) {
    var counter =
        registry
            .find(MeshMetrics.STEP_FAILURES)
            .tags("stage", "kubernetes", "code", code)
            .counter();
    return counter == null ? 0 : counter.count();
  }

  private static long steps(SimpleMeterRegistry registry, String outcome) {
    var timer =
        registry
            .find(MeshMetrics.STEP_DURATION)
            .tags("stage", "kubernetes", "outcome", outcome)
            .timer();
    return timer == null ? 0 : timer.count();
  }

  @Test
  void aBrokenStepEndsInInternalErrorAndItsTriggerOnTheDeadLetterTopic() {
    EventEnvelope trigger =
        start(
            ctx -> {
              throw new IllegalStateException("bug");
            });

    ClusterFailed failed = (ClusterFailed) awaitOutcome(trigger).payload();

    assertThat(failed.code()).isEqualTo("INTERNAL_ERROR");
    assertThat(failed.reason()).contains("IllegalStateException: bug");
    assertThat(deadLettered).singleElement().asString().startsWith("mesh.infra.events: ");
  }

  @Test
  void aNudgeEndsAWaitAtOnce() {
    Wait slow = WAIT.rechecking(new Recheck(Duration.ofMinutes(10), Duration.ofMinutes(10), 1));
    AtomicBoolean there = new AtomicBoolean();
    AtomicInteger checks = new AtomicInteger();
    StepContext[] context = new StepContext[1];
    EventEnvelope trigger =
        start(
            ctx -> {
              context[0] = ctx;
              checks.incrementAndGet();
              return there.get() ? up() : Next.waitFor(slow, "watching");
            });
    await().atMost(Duration.ofSeconds(5)).until(() -> checks.get() == 1);

    there.set(true);
    context[0].nudge();

    assertThat(awaitOutcome(trigger).payload()).isInstanceOf(ClusterUp.class);
  }

  @Test
  void aStepCancelsTheOtherStagesStepsOfItsClusterWhichEndCancelledAndAreNotResumable() {
    AtomicInteger buildChecks = new AtomicInteger();
    EventEnvelope build =
        start(
            ctx -> {
              buildChecks.incrementAndGet();
              return waiting("stack in progress");
            });
    EventEnvelope otherCluster = startOn(engine, stepOf(ctx -> waiting("other")), "west");
    await().atMost(Duration.ofSeconds(5)).until(() -> buildChecks.get() >= 1);
    List<Integer> stillRunning = new CopyOnWriteArrayList<>();
    EventEnvelope delete = trigger("east");

    engine.start(
        DELETE_ROUTE,
        delete,
        new Plan.Planned(
            new StepKey(delete.eventId(), "east"),
            () ->
                ctx -> {
                  int left = ctx.cancelOtherSteps("the mesh is being deleted");
                  stillRunning.add(left);
                  return left > 0 ? waiting("build steps to stop") : up();
                }),
        SOURCE);

    EventEnvelope cancelled = awaitOutcome(build);
    assertThat(cancelled.payload())
        .isEqualTo(
            new ClusterFailed("kubernetes", "CANCELLED", "the mesh is being deleted", false));
    assertThat(awaitOutcome(delete).payload()).isInstanceOf(ClusterUp.class);
    assertThat(stillRunning.get(0)).isEqualTo(1);
    assertThat(stillRunning.get(stillRunning.size() - 1)).isZero();
    assertThat(published.outcomeOf(otherCluster)).as("another cluster's step goes on").isNull();
    assertThat(engine.inFlight()).isEqualTo(1);
  }

  @Test
  void aCallThatFailsAfterTheCancelEndsTheStepCancelledNotWithItsFailure() throws Exception {
    java.util.concurrent.CountDownLatch inCall = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    EventEnvelope build =
        start(
            ctx -> {
              inCall.countDown();
              try {
                release.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              // the cluster's API server went away with its VMs
              throw new io.meshorch.kit.failure.TerminalFailure(
                  "KUBE_API_REJECTED", "apply ConfigMap failed: IOException");
            });
    assertThat(inCall.await(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

    assertThat(engine.cancel("m1", "east", "delete", "mesh m1 is being deleted")).isEqualTo(1);
    release.countDown();

    assertThat(awaitOutcome(build).payload())
        .isEqualTo(new ClusterFailed("kubernetes", "CANCELLED", "mesh m1 is being deleted", false));
  }

  @Test
  void progressIsPublishedForTheStepsCluster() {
    EventEnvelope trigger =
        start(
            ctx -> {
              ctx.progress("half way");
              return up();
            });

    awaitOutcome(trigger);

    assertThat(published.events())
        .filteredOn(e -> e.payload() instanceof ProgressReported)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.cluster()).isEqualTo("east");
              assertThat(e.causationId()).isEqualTo(trigger.eventId());
              assertThat(e.payload()).isEqualTo(new ProgressReported("kubernetes", "half way"));
            });
  }

  @Test
  void stoppingPublishesNothingAndReleasesTheStepsResources() {
    AtomicBoolean closed = new AtomicBoolean();
    List<StepEnd> ends = new CopyOnWriteArrayList<>();
    AtomicInteger checks = new AtomicInteger();
    startStep(
        new Step() {
          @Override
          public Next advance(StepContext ctx) {
            if (checks.incrementAndGet() == 1) {
              ctx.keep(() -> closed.set(true));
            }
            return waiting("rke up running");
          }

          @Override
          public void ended(StepEnd end) {
            ends.add(end);
          }
        });
    await().atMost(Duration.ofSeconds(5)).until(() -> checks.get() >= 2);

    engine.stop(Duration.ofSeconds(5));

    assertThat(published.outcomes()).isEmpty();
    assertThat(closed).isTrue();
    assertThat(ends).containsExactly(StepEnd.STOPPED);
    assertThat(engine.inFlight()).isZero();
  }

  @Test
  void anOutcomeThatCannotBePublishedEndsInAFailureThatFits() {
    Published refusingBigOnes =
        new Published() {
          @Override
          public void publish(EventEnvelope event) {
            if (event.payload() instanceof ClusterUp) {
              throw new TransientFailure("PUBLISH_FAILED", "RecordTooLargeException: too large");
            }
            super.publish(event);
          }
        };
    engine.stop(Duration.ofSeconds(1));
    engine = engine(refusingBigOnes, 2);
    EventEnvelope trigger = startOn(engine, stepOf(ctx -> up()));

    EventEnvelope outcome =
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> refusingBigOnes.outcomeOf(trigger), o -> o != null);

    ClusterFailed failed = (ClusterFailed) outcome.payload();
    assertThat(failed.code()).isEqualTo("OUTCOME_UNPUBLISHABLE");
    assertThat(failed.reason()).contains("ClusterUp", "RecordTooLargeException");
    assertThat(deadLettered).singleElement().asString().contains("could not be published");
  }

  @Test
  void aStepIsStartedOnlyOnceWhileItRuns() {
    EventEnvelope trigger = trigger("east");
    Plan.Planned planned =
        new Plan.Planned(new StepKey(trigger.eventId(), "east"), () -> stepOf(ctx -> waiting("x")));

    assertThat(engine.start(ROUTE, trigger, planned, SOURCE)).isTrue();
    assertThat(engine.start(ROUTE, trigger, planned, SOURCE)).isFalse();
    assertThat(engine.active(planned.key())).isTrue();
  }

  @Test
  void firstRechecksComeWithinASecondThenSlowDown() {
    Recheck recheck = new Recheck(Duration.ofMillis(200), Duration.ofSeconds(5), 1.5);

    assertThat(recheck.pauseAfter(1).plus(recheck.pauseAfter(2)).plus(recheck.pauseAfter(3)))
        .isLessThan(Duration.ofSeconds(1));
    assertThat(recheck.pauseAfter(20)).isEqualTo(Duration.ofSeconds(5));
  }

  // --- helpers

  private static final TriggerRef SOURCE = new TriggerRef("mesh.infra.events", 0, 7);

  private static final StepRoute ROUTE =
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
        public Plan plan(EventEnvelope event) {
          return Plan.nothing();
        }
      };

  private static final StepRoute DELETE_ROUTE =
      StepRoute.of(EventType.CLUSTER_DELETED, "delete", e -> Plan.nothing());

  private static Next waiting(String status) {
    return Next.waitFor(WAIT, status);
  }

  private static Next up() {
    return Next.done(
        new ClusterUp(Samples.cluster("east", 1, 1), List.of(), "https://127.0.0.1:6443", "ref"));
  }

  private static Step stepOf(Function<StepContext, Next> body) {
    return body::apply;
  }

  private EventEnvelope start(Function<StepContext, Next> body) {
    return startStep(stepOf(body));
  }

  private EventEnvelope startStep(Step step) {
    return startOn(engine, step);
  }

  private static EventEnvelope startOn(StepEngine engine, Step step) {
    return startOn(engine, step, "east");
  }

  private static EventEnvelope startOn(StepEngine engine, Step step, String cluster) {
    EventEnvelope trigger = trigger(cluster);
    engine.start(
        ROUTE,
        trigger,
        new Plan.Planned(new StepKey(trigger.eventId(), cluster), () -> step),
        SOURCE);
    return trigger;
  }

  private static EventEnvelope trigger(String cluster) {
    var spec = Samples.cluster(cluster, 1, 1);
    return EventEnvelope.create(
        "m1",
        cluster,
        UUID.randomUUID(),
        "infra-service",
        new VmsReady(spec, "stack", Samples.nodes("m1", spec)));
  }

  private EventEnvelope awaitOutcome(EventEnvelope trigger) {
    return await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> published.outcomeOf(trigger), o -> o != null);
  }

  /** The events the engine published, in order. */
  static class Published implements EventPublisherPort {
    private final List<EventEnvelope> events = new CopyOnWriteArrayList<>();

    @Override
    public void publish(EventEnvelope event) {
      events.add(event);
    }

    List<EventEnvelope> events() {
      return List.copyOf(events);
    }

    List<EventEnvelope> outcomes() {
      return events.stream().filter(e -> !(e.payload() instanceof ProgressReported)).toList();
    }

    EventEnvelope outcomeOf(EventEnvelope trigger) {
      List<EventEnvelope> out =
          outcomes().stream().filter(e -> trigger.eventId().equals(e.causationId())).toList();
      assertThat(out).hasSizeLessThanOrEqualTo(1);
      return out.isEmpty() ? null : out.get(0);
    }
  }
}
