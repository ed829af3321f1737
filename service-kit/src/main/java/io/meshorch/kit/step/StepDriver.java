package io.meshorch.kit.step;

import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.MeshEvent;
import io.meshorch.kit.failure.StepFailure;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs one {@link Step} to its end on the calling thread, without the engine's delays: for unit
 * tests of steps against in-memory fakes, and for tools. Each {@link Next#waitFor} is answered by
 * calling {@link #beforeRecheck} (a test moves its fake world on there) and then the step again; a
 * step that keeps waiting longer than {@code maxCalls} calls is reported as stuck. A {@link
 * Next#working} is answered by calling the step again once it has been nudged since its last call
 * (at once when its work ran on the calling thread; at most {@link #WORK_TIMEOUT} later otherwise).
 * Failures are not retried: they end the run, as the engine would after its retries.
 */
public final class StepDriver implements StepContext {
  /** How long a {@link Next#working} step goes without a nudge before it is called again. */
  public static final Duration WORK_TIMEOUT = Duration.ofSeconds(30);

  /** How a driven step ended. */
  public sealed interface Result {
    /** The step reached its goal with {@code outcome}. */
    record Done(MeshEvent outcome) implements Result {}

    /** The step threw {@code failure}. */
    record Failed(StepFailure failure) implements Result {}

    /** The step was still waiting after the last call; {@code status} says for what. */
    record StillWaiting(Wait until, String status) implements Result {}
  }

  private final EventEnvelope trigger;
  private final StepKey key;
  private final String stage;
  private final List<String> progress = new ArrayList<>();
  private final List<AutoCloseable> kept = new ArrayList<>();
  private Runnable beforeRecheck = () -> {};
  private final AtomicInteger nudges = new AtomicInteger();
  private final Semaphore nudged = new Semaphore(0);
  private int calls;
  private final List<String> cancellations = new ArrayList<>();
  private java.util.function.IntSupplier othersRunning = () -> 0;

  /** A driver for a step answering {@code trigger} for its own cluster. */
  public StepDriver(EventEnvelope trigger, String stage) {
    this(trigger, new StepKey(trigger.eventId(), trigger.cluster()), stage);
  }

  /** A driver for the step {@code key} triggered by {@code trigger}. */
  public StepDriver(EventEnvelope trigger, StepKey key, String stage) {
    this.trigger = Objects.requireNonNull(trigger, "trigger");
    this.key = Objects.requireNonNull(key, "key");
    this.stage = Objects.requireNonNull(stage, "stage");
  }

  /** What to do before each re-check of a waiting step (e.g. let a fake stack complete). */
  public StepDriver beforeRecheck(Runnable action) {
    this.beforeRecheck = Objects.requireNonNull(action, "action");
    return this;
  }

  /** Calls {@code step} until it is done, fails, or has been called {@code maxCalls} times. */
  public Result run(Step step, int maxCalls) {
    Wait lastWait = null;
    String lastStatus = null;
    while (calls < maxCalls) {
      Next next;
      calls++;
      nudged.drainPermits();
      try {
        next = step.advance(this);
      } catch (StepFailure f) {
        end(step, StepEnd.FAILED);
        return new Result.Failed(f);
      }
      if (next instanceof Next.Done done) {
        end(step, StepEnd.COMPLETED);
        return new Result.Done(done.outcome());
      }
      if (next instanceof Next.Waiting waiting) {
        lastWait = waiting.until();
        lastStatus = waiting.status();
        beforeRecheck.run();
      } else if (next instanceof Next.Working working) {
        lastWait = working.until();
        lastStatus = working.status();
        awaitNudge();
      }
    }
    end(step, StepEnd.STOPPED);
    return lastWait == null
        ? new Result.StillWaiting(null, "called " + maxCalls + " times without waiting")
        : new Result.StillWaiting(lastWait, lastStatus);
  }

  private void awaitNudge() {
    try {
      nudged.tryAcquire(WORK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void end(Step step, StepEnd end) {
    for (AutoCloseable resource : kept) {
      try {
        resource.close();
      } catch (Exception e) {
        // a test resource that fails to close changes nothing in the result
      }
    }
    kept.clear();
    step.ended(end);
  }

  /**
   * How many other steps {@link #cancelOtherSteps} reports as not ended yet, asked at each call
   * (default: none), so a test can play steps that take a while to stop.
   */
  public StepDriver othersRunning(java.util.function.IntSupplier running) {
    this.othersRunning = Objects.requireNonNull(running, "running");
    return this;
  }

  /** The reasons the step gave when it cancelled the service's other steps, in order. */
  public List<String> cancellations() {
    return List.copyOf(cancellations);
  }

  /** The progress messages the step published, in order. */
  public List<String> progress() {
    return List.copyOf(progress);
  }

  /** How many times the step asked to be woken early. */
  public int nudges() {
    return nudges.get();
  }

  /** How many times the step was called. */
  public int calls() {
    return calls;
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
    return stage;
  }

  @Override
  public void progress(String message) {
    progress.add(message);
  }

  @Override
  public void nudge() {
    nudges.incrementAndGet();
    nudged.release();
  }

  @Override
  public <T extends AutoCloseable> T keep(T resource) {
    kept.add(resource);
    return resource;
  }

  @Override
  public int cancelOtherSteps(String reason) {
    cancellations.add(reason);
    return othersRunning.getAsInt();
  }
}
