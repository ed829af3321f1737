package io.meshorch.kit.step;

import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.MeshEvent;
import io.meshorch.contracts.ProgressReported;
import io.meshorch.kit.failure.StepFailure;
import io.meshorch.kit.failure.Throttled;
import io.meshorch.kit.metrics.MeshMetrics;
import io.meshorch.kit.port.DeadLetterPort;
import io.meshorch.kit.port.EventPublisherPort;
import io.meshorch.kit.retry.Backoff;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Runs the steps of a service to their end without holding a thread while they wait: one shared
 * scheduler times every re-check, a bounded pool runs the short {@link Step#advance} calls. A step
 * ends by publishing its outcome, by publishing its failure (terminal at once; transient after
 * {@code stepRetry} attempts within one phase; a wait past its timeout), or by being stopped, which
 * publishes nothing: a stopped step is resumed by the next owner of its trigger.
 *
 * <p>The pool size bounds how many calls to outside systems run at once (a limit that protects the
 * cloud); it never bounds how many steps are in flight.
 */
public final class StepEngine {
  private static final Logger log = LoggerFactory.getLogger(StepEngine.class);
  private static final int MAX_REASON = 1_000;

  private final EventPublisherPort publisher;
  private final DeadLetterPort deadLetters;
  private final String producer;
  private final Recheck recheck;
  private final Backoff stepRetry;
  private final ScheduledExecutorService scheduler;
  private final ExecutorService workers;
  private final MeshMetrics metrics;
  private final Map<StepKey, Run> running = new ConcurrentHashMap<>();
  private volatile boolean stopping;

  /**
   * @param publisher publishes outcomes, failures and progress on the service's topic
   * @param deadLetters where the trigger of a step that broke on an unexpected error goes
   * @param producer the service name stamped on events
   * @param workers how many {@link Step#advance} calls run at once
   * @param recheck the default re-check back-off of waits
   * @param stepRetry attempts and pauses for transient failures within one phase of a step (a wait,
   *     or the calls between two waits)
   */
  public StepEngine(
      EventPublisherPort publisher,
      DeadLetterPort deadLetters,
      String producer,
      int workers,
      Recheck recheck,
      Backoff stepRetry) {
    this(publisher, deadLetters, producer, workers, recheck, stepRetry, MeshMetrics.none());
  }

  /**
   * As {@link #StepEngine(EventPublisherPort, DeadLetterPort, String, int, Recheck, Backoff)},
   * recording step durations, failures and the steps in flight in {@code metrics}.
   */
  public StepEngine(
      EventPublisherPort publisher,
      DeadLetterPort deadLetters,
      String producer,
      int workers,
      Recheck recheck,
      Backoff stepRetry,
      MeshMetrics metrics) {
    this.publisher = publisher;
    this.deadLetters = deadLetters;
    this.producer = producer;
    this.recheck = recheck;
    this.stepRetry = stepRetry;
    ScheduledThreadPoolExecutor timer =
        new ScheduledThreadPoolExecutor(1, CallPools.named(producer + "-steps-timer"));
    timer.setRemoveOnCancelPolicy(true);
    this.scheduler = timer;
    this.workers = CallPools.fixed(producer + "-steps", workers);
    this.metrics = metrics;
    metrics.inFlight(running::size);
  }

  /** True while the step runs here. */
  public boolean active(StepKey key) {
    return running.containsKey(key);
  }

  /** How many steps run (waiting included). */
  public int inFlight() {
    return running.size();
  }

  /**
   * Starts {@code planned} for {@code trigger}, read from {@code source}, unless it runs already.
   *
   * @return false when it was running already or the engine stops
   */
  public boolean start(
      StepRoute route, EventEnvelope trigger, Plan.Planned planned, TriggerRef source) {
    return start(route, trigger, planned, source, null);
  }

  /**
   * Like {@link #start(StepRoute, EventEnvelope, Plan.Planned, TriggerRef)}, but cancelled before
   * its first pass when {@code cancelledBecause} is not null: the step never runs and is answered
   * with a terminal failure {@code CANCELLED} naming the reason (a resumed step whose cluster has
   * been deleted since).
   */
  public boolean start(
      StepRoute route,
      EventEnvelope trigger,
      Plan.Planned planned,
      TriggerRef source,
      String cancelledBecause) {
    return start(route, trigger, planned, source, cancelledBecause, null);
  }

  /**
   * Resumes {@code planned} (see {@link #start(StepRoute, EventEnvelope, Plan.Planned, TriggerRef,
   * String)}) that had begun {@code waiting} before the service stopped: when its first wait is
   * that one again, the wait's time limit counts from when it began, not from now.
   */
  public boolean start(
      StepRoute route,
      EventEnvelope trigger,
      Plan.Planned planned,
      TriggerRef source,
      String cancelledBecause,
      StepJournal.Waiting waiting) {
    if (stopping) {
      return false;
    }
    Run run = new Run(route, trigger, planned.key(), source);
    run.cancelled = cancelledBecause;
    if (waiting != null) {
      long waitedNanos = Math.max(0, Duration.between(waiting.since(), Instant.now()).toNanos());
      run.waitName = waiting.name();
      run.waitStartNanos = System.nanoTime() - waitedNanos;
    }
    if (running.putIfAbsent(planned.key(), run) != null) {
      return false;
    }
    try {
      run.step = Objects.requireNonNull(planned.step().get(), "step");
    } catch (RuntimeException e) {
      running.remove(planned.key(), run);
      throw e;
    }
    log.info("{} step {} started", route.stage(), planned.key());
    run.schedule(0);
    return true;
  }

  /**
   * Cancels the running steps of mesh {@code meshId} (of {@code cluster} only, unless it is null)
   * whose stage is not {@code keepStage}; see {@link StepContext#cancelOtherSteps}.
   *
   * @return how many of them have not ended yet
   */
  public int cancel(String meshId, String cluster, String keepStage, String reason) {
    return cancel(meshId, cluster, run -> !run.stage().equals(keepStage), reason);
  }

  /**
   * Cancels the running steps of {@link StepRoute#builds building routes} of mesh {@code meshId}
   * (of {@code cluster} only, unless it is null): each ends after its call in progress, if any,
   * with a terminal failure {@code CANCELLED} naming {@code reason}. Idempotent.
   *
   * @return how many of them have not ended yet
   */
  public int cancelBuilding(String meshId, String cluster, String reason) {
    return cancel(meshId, cluster, run -> run.route.builds(), reason);
  }

  private int cancel(String meshId, String cluster, Predicate<Run> which, String reason) {
    int left = 0;
    for (Run run : List.copyOf(running.values())) {
      if (run.trigger.meshId().equals(meshId)
          && (cluster == null || cluster.equals(run.key.cluster()))
          && which.test(run)
          && run.cancel(reason)) {
        left++;
      }
    }
    return left;
  }

  /**
   * Stops (without failing them) the running steps whose trigger is on a partition {@code keep}
   * refuses, e.g. after a rebalance took the partition to another replica.
   */
  public void stopUnless(Predicate<TriggerRef> keep) {
    for (Run run : List.copyOf(running.values())) {
      if (!keep.test(run.source)) {
        log.info(
            "{} step {}: the partition of {} moved away, stopping",
            run.stage(),
            run.key,
            run.source);
        run.end(StepEnd.STOPPED);
      }
    }
  }

  /**
   * Stops every step without failing it (each is resumed on the next start), then waits up to
   * {@code grace} for the calls in progress.
   */
  public void stop(Duration grace) {
    stopping = true;
    int n = running.size();
    for (Run run : List.copyOf(running.values())) {
      run.end(StepEnd.STOPPED);
    }
    scheduler.shutdownNow();
    workers.shutdown();
    try {
      if (!workers.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        workers.shutdownNow();
      }
    } catch (InterruptedException e) {
      workers.shutdownNow();
      Thread.currentThread().interrupt();
    }
    if (n > 0) {
      log.info("stopped {} step(s) in flight; they resume on the next start", n);
    }
  }

  private static String truncate(String text) {
    if (text == null) {
      return "(no message)";
    }
    return text.length() <= MAX_REASON ? text : text.substring(0, MAX_REASON) + "…";
  }

  private enum State {
    IDLE,
    QUEUED,
    PASSING,
    ENDED
  }

  /** One step in flight: its state between passes and the serialization of its passes. */
  private final class Run implements StepContext {
    final StepRoute route;
    final EventEnvelope trigger;
    final StepKey key;
    final TriggerRef source;
    volatile Step step;
    private final List<AutoCloseable> resources = new ArrayList<>();
    // guarded by this
    private State state = State.IDLE;
    private boolean nudged;
    private ScheduledFuture<?> timer;
    private long generation;
    // touched only by the pass in progress
    private int failuresInARow;
    private String failedIn;
    private String waitName;
    private long waitStartNanos;
    private int waitChecks;
    private volatile String cancelled;
    private MeshEvent unpublished;
    private StepEnd unpublishedEnd;
    private int publishAttempts;
    private final long startNanos = System.nanoTime();
    // the code of the failure being published, for the failure metric
    private String failureCode;

    Run(StepRoute route, EventEnvelope trigger, StepKey key, TriggerRef source) {
      this.route = route;
      this.trigger = trigger;
      this.key = key;
      this.source = source;
    }

    @Override
    public EventEnvelope trigger() {
      return trigger;
    }

    @Override
    public StepKey key() {
      return key;
    }

    @Override
    public String stage() {
      return route.stage();
    }

    @Override
    public void progress(String message) {
      publishProgress(new ProgressReported(route.stage(), message));
    }

    private void publishProgress(ProgressReported progress) {
      try {
        publisher.publish(envelope(progress));
      } catch (RuntimeException e) {
        log.warn(
            "could not publish progress '{}' of {}: {}", progress.message(), key, e.getMessage());
      }
    }

    @Override
    public synchronized void nudge() {
      if (state == State.PASSING) {
        nudged = true;
      } else if (state == State.IDLE) {
        if (timer != null) {
          timer.cancel(false);
          timer = null;
        }
        queue();
      }
    }

    @Override
    public int cancelOtherSteps(String reason) {
      return StepEngine.this.cancel(
          trigger.meshId(), key.cluster(), route.stage(), Objects.requireNonNull(reason));
    }

    /** Asks the step to end as cancelled at its next pass; false when it has ended already. */
    boolean cancel(String reason) {
      synchronized (this) {
        if (state == State.ENDED) {
          return false;
        }
        if (cancelled == null) {
          cancelled = reason;
          log.info("{} step {}: cancelling ({})", route.stage(), key, reason);
        }
      }
      nudge();
      return true;
    }

    @Override
    public <T extends AutoCloseable> T keep(T resource) {
      boolean ended;
      synchronized (this) {
        ended = state == State.ENDED;
        if (!ended) {
          resources.add(resource);
        }
      }
      if (ended) {
        close(resource);
      }
      return resource;
    }

    /** Next pass after {@code delayMillis} (0: now), unless a nudge asked for one already. */
    synchronized void schedule(long delayMillis) {
      if (state == State.ENDED) {
        return;
      }
      if (nudged || delayMillis <= 0) {
        nudged = false;
        queue();
        return;
      }
      state = State.IDLE;
      long gen = ++generation;
      try {
        timer = scheduler.schedule(() -> fire(gen), delayMillis, TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException e) {
        // the engine stops: the step is resumed on the next start
      }
    }

    private synchronized void fire(long gen) {
      if (state == State.IDLE && gen == generation) {
        timer = null;
        queue();
      }
    }

    // guarded by this
    private void queue() {
      state = State.QUEUED;
      try {
        workers.execute(this::pass);
      } catch (RejectedExecutionException e) {
        // the engine stops: the step is resumed on the next start
      }
    }

    private void pass() {
      synchronized (this) {
        if (state != State.QUEUED) {
          return;
        }
        state = State.PASSING;
        nudged = false;
      }
      MDC.put("meshId", trigger.meshId());
      MDC.put("eventId", trigger.eventId().toString());
      MDC.put("eventType", trigger.type());
      if (key.cluster() != null) {
        MDC.put("cluster", key.cluster());
      }
      try {
        if (unpublished != null) {
          publishFinal(unpublished, unpublishedEnd);
        } else if (cancelled != null) {
          failureCode = "CANCELLED";
          publishFinal(
              route.failure(trigger, key.cluster(), "CANCELLED", truncate(cancelled), false),
              StepEnd.FAILED);
        } else {
          advanceOnce();
        }
      } finally {
        MDC.clear();
      }
    }

    private void advanceOnce() {
      Next next;
      try {
        next = step.advance(this);
      } catch (Throttled t) {
        throttled(t);
        return;
      } catch (StepFailure f) {
        failed(f.code(), f.getMessage(), f.retryable(), f, false);
        return;
      } catch (RuntimeException e) {
        failed(
            "INTERNAL_ERROR", e.getClass().getSimpleName() + ": " + e.getMessage(), true, e, true);
        return;
      }
      if (ended()) {
        return;
      }
      if (failuresInARow > 0 && !waitName(next).equals(failedIn)) {
        // The step moved past the phase that failed: a later failure starts a new count.
        failuresInARow = 0;
        failedIn = null;
      }
      if (next instanceof Next.Done done) {
        publishFinal(done.outcome(), StepEnd.COMPLETED);
      } else if (next instanceof Next.Waiting waiting) {
        waiting(waiting.until(), waiting.status(), true);
      } else if (next instanceof Next.Working working) {
        waiting(working.until(), working.status(), false);
      } else {
        schedule(0);
      }
    }

    private static String waitName(Next next) {
      if (next instanceof Next.Waiting w) {
        return w.until().name();
      }
      if (next instanceof Next.Working w) {
        return w.until().name();
      }
      return "";
    }

    /**
     * @param check whether the call found the thing not ready (a {@link Next#waitFor}), which grows
     *     the back-off; a {@link Next#working} call does not
     */
    private void waiting(Wait wait, String status, boolean check) {
      long now = System.nanoTime();
      if (!wait.name().equals(waitName)) {
        waitName = wait.name();
        waitStartNanos = now;
        waitChecks = 0;
        log.debug("{}: waiting for {} ({})", key, wait.name(), status);
        // Durable, so that a resumed step's wait keeps its time limit (StepJournal#waiting).
        publishProgress(
            new ProgressReported(
                route.stage(),
                "waiting for " + wait.name() + " (at most " + format(wait.timeout()) + ")",
                wait.name()));
      }
      long elapsed = now - waitStartNanos;
      long left = wait.timeout().toNanos() - elapsed;
      if (left <= 0) {
        giveUp(
            wait.timeoutCode(),
            wait.name()
                + " not reached within "
                + format(wait.timeout())
                + " ("
                + wait.setting()
                + "); last seen: "
                + status,
            true,
            false);
        return;
      }
      if (check) {
        waitChecks++;
      }
      Recheck policy = wait.recheck() == null ? recheck : wait.recheck();
      long pause = policy.pauseAfter(Math.max(1, waitChecks)).toNanos();
      schedule(TimeUnit.NANOSECONDS.toMillis(Math.min(pause, left)) + 1);
    }

    /** Not an attempt: the step is called again when its call may be made, the wait's clock on. */
    private void throttled(Throttled t) {
      if (ended()) {
        return;
      }
      log.debug(
          "{} step {} held back {} ms: {}",
          route.stage(),
          key,
          t.retryAfter().toMillis(),
          t.getMessage());
      schedule(Math.max(1, t.retryAfter().toMillis()));
    }

    private void failed(
        String code, String message, boolean retryable, Exception cause, boolean unexpected) {
      if (ended()) {
        log.debug("{} ended while its call failed: {}", key, message);
        return;
      }
      if (cancelled != null) {
        // What was being built is going away: the failure is the teardown's doing, not news.
        log.info(
            "{} step {}: its call failed after the cancel ({}): {}",
            route.stage(),
            key,
            cancelled,
            message);
        failureCode = "CANCELLED";
        publishFinal(
            route.failure(trigger, key.cluster(), "CANCELLED", truncate(cancelled), false),
            StepEnd.FAILED);
        return;
      }
      if (retryable) {
        failuresInARow++;
        // Failures count per phase: a step that fails again in the same wait (a command it runs
        // again and again, a flaky read) gives up after the attempts, even though the call that
        // retries returns normally. The retried wait's clock starts anew.
        failedIn = waitName;
        waitName = null;
        if (failuresInARow < stepRetry.maxAttempts()) {
          Duration pause = stepRetry.delayAfter(failuresInARow);
          log.warn(
              "{} step {} failed (attempt {}/{}), retrying in {} ms: {}",
              route.stage(),
              key,
              failuresInARow,
              stepRetry.maxAttempts(),
              pause.toMillis(),
              message,
              unexpected ? cause : null);
          schedule(pause.toMillis());
          return;
        }
      }
      if (unexpected) {
        log.error("{} step {} broke", route.stage(), key, cause);
      }
      giveUp(code, message, retryable, unexpected);
    }

    private void giveUp(String code, String reason, boolean retryable, boolean unexpected) {
      log.error("{} step {} gave up ({}): {}", route.stage(), key, code, reason);
      if (unexpected) {
        deadLetters.send(source.topic(), trigger, route.stage() + " step gave up: " + reason);
      }
      failureCode = code;
      publishFinal(
          route.failure(trigger, key.cluster(), code, truncate(reason), retryable), StepEnd.FAILED);
    }

    /** Publishes the step's last event; retries a few times, then answers with a failure. */
    private void publishFinal(MeshEvent outcome, StepEnd end) {
      try {
        publisher.publish(envelope(outcome));
        end(end);
        return;
      } catch (RuntimeException e) {
        if (ended()) {
          return;
        }
        publishAttempts++;
        if (publishAttempts < stepRetry.maxAttempts()) {
          log.warn(
              "could not publish {} of {} (attempt {}): {}",
              outcome.getClass().getSimpleName(),
              key,
              publishAttempts,
              e.getMessage());
          unpublished = outcome;
          unpublishedEnd = end;
          schedule(stepRetry.delayAfter(publishAttempts).toMillis());
          return;
        }
        String reason =
            "its "
                + outcome.getClass().getSimpleName()
                + " could not be published: "
                + truncate(e.getMessage());
        log.error("{} step {}: {}", route.stage(), key, reason);
        deadLetters.send(source.topic(), trigger, reason);
        failureCode = "OUTCOME_UNPUBLISHABLE";
        try {
          publisher.publish(
              envelope(
                  route.failure(trigger, key.cluster(), "OUTCOME_UNPUBLISHABLE", reason, false)));
        } catch (RuntimeException again) {
          log.error("could not publish the failure of {} either: {}", key, again.getMessage());
        }
        end(StepEnd.FAILED);
      }
    }

    private EventEnvelope envelope(MeshEvent payload) {
      return EventEnvelope.create(
          trigger.meshId(), key.cluster(), key.causationId(), producer, payload);
    }

    private synchronized boolean ended() {
      return state == State.ENDED;
    }

    /** Ends the step once: no more passes, its resources closed. */
    void end(StepEnd end) {
      List<AutoCloseable> toClose;
      synchronized (this) {
        if (state == State.ENDED) {
          return;
        }
        state = State.ENDED;
        if (timer != null) {
          timer.cancel(false);
          timer = null;
        }
        toClose = List.copyOf(resources);
        resources.clear();
      }
      running.remove(key, this);
      toClose.forEach(StepEngine::close);
      Step s = step;
      if (s != null) {
        try {
          s.ended(end);
        } catch (RuntimeException e) {
          log.warn("{} did not end cleanly: {}", key, e.toString());
        }
      }
      if (end != StepEnd.STOPPED) {
        Duration took = Duration.ofNanos(System.nanoTime() - startNanos);
        if (end == StepEnd.FAILED) {
          metrics.stepFailed(route.stage(), failureCode == null ? "UNKNOWN" : failureCode);
          metrics.stepEnded(route.stage(), MeshMetrics.FAILED, took);
        } else {
          metrics.stepEnded(route.stage(), MeshMetrics.COMPLETED, took);
        }
        log.info(
            "{} step {} {}", route.stage(), key, end.name().toLowerCase(java.util.Locale.ROOT));
      }
    }
  }

  private static void close(AutoCloseable resource) {
    try {
      resource.close();
    } catch (Exception e) {
      log.debug("closing {} failed: {}", resource, e.toString());
    }
  }

  private static String format(Duration d) {
    return d.toString().substring(2).toLowerCase(java.util.Locale.ROOT);
  }
}
