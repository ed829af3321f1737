package io.meshorch.kit.pacing;

import io.meshorch.kit.failure.Throttled;
import io.meshorch.kit.failure.TransientFailure;
import java.time.Duration;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Keeps a service's requests to one external system within what it allows: every request first
 * takes a slot ({@link #pace}).
 *
 * <ul>
 *   <li><b>A steady rate</b>, when configured: at most {@code burst} requests at once, then one per
 *       {@code 1/rate}. Slots are handed out in order (the time the next request may go is kept,
 *       GCRA), so a step that makes several calls in one go gets them one after another instead of
 *       losing the race to every other step for each. Unset (0), requests go as fast as the kit's
 *       workers send them.
 *   <li><b>What the system says</b>: a {@code 429 Too Many Requests}, or a {@code 503} with {@code
 *       Retry-After}, holds every request back for the {@code Retry-After} given (seconds or an
 *       HTTP date; {@value #DEFAULT_HOLD_OFF_MILLIS} ms for a 429 without it, as a proxy's default
 *       page has none), not only the refused one: the system throttles the client, and the other
 *       workers would be refused too ({@link #answered}).
 *   <li><b>What its refusals teach</b>: a 429 also tells that the requests came faster than the
 *       system allows, so they are then spaced at least {@value #FIRST_LEARNT_MILLIS} ms apart,
 *       twice that after each further 429 that comes once the hold of the one before has ended (up
 *       to {@value #LONGEST_LEARNT_MILLIS} ms), and half as far again after each {@value
 *       #ANSWERS_TO_RELAX} answers in a row that were no 429 (none below {@value
 *       #FIRST_LEARNT_MILLIS} ms): the workers held back by a {@code Retry-After} do not all go at
 *       once when it ends, only to be refused together again. A steady rate slower than what was
 *       learnt is kept.
 * </ul>
 *
 * <p>A slot that comes within {@link #longestPause()} (a second, or two intervals of a slower rate)
 * is waited for on the calling worker: a bounded pause of one of the kit's fixed workers, the one
 * place a service's thread waits, as every HTTP client's rate limiter does. A later slot is not
 * taken: the call ends in {@link Throttled} with the time until then, and the kit calls the step
 * again after it, without counting an attempt and without a thread waiting.
 */
public final class CallPacer {
  static final long DEFAULT_HOLD_OFF_MILLIS = 1000;

  /** The spacing a first 429 imposes (10 requests/s). */
  static final long FIRST_LEARNT_MILLIS = 100;

  /** The widest spacing 429s teach (one request every 5 s). */
  static final long LONGEST_LEARNT_MILLIS = 5000;

  /** Answers in a row without a 429 after which the learnt spacing is halved. */
  static final int ANSWERS_TO_RELAX = 20;

  private static final long ONE_SECOND = TimeUnit.SECONDS.toNanos(1);

  /** Pauses the calling thread; {@link TimeUnit#sleep} in production. */
  interface Pause {
    void pause(long nanos) throws InterruptedException;
  }

  private final String system;
  private final long intervalNanos;
  private final long toleranceNanos;
  private final long longestPauseNanos;
  private final LongSupplier clock;
  private final Pause pause;
  private final String description;
  private boolean started;

  /** When the next request would go if none had gone for long (GCRA's theoretical arrival). */
  private long nextSlot;

  private long holdUntil;
  private boolean holding;

  /** The spacing the system's 429s taught (0: none); guarded by this. */
  private long learntIntervalNanos;

  /** Answers without a 429 since the last one or the last relaxation; guarded by this. */
  private int answersWithoutRefusal;

  /**
   * @param system what is called, for messages (e.g. {@code the cloud})
   * @param requestsPerSecond the steady rate, or 0 for none (only the system's refusals hold back)
   * @param burst how many requests may go at once after a quiet time, at least 1
   */
  public CallPacer(String system, double requestsPerSecond, int burst) {
    this(system, requestsPerSecond, burst, System::nanoTime, TimeUnit.NANOSECONDS::sleep);
  }

  CallPacer(String system, double requestsPerSecond, int burst, LongSupplier clock, Pause pause) {
    if (requestsPerSecond < 0 || Double.isNaN(requestsPerSecond)) {
      throw new IllegalArgumentException(
          "a rate must be 0 (none) or a positive number of requests per second, found "
              + requestsPerSecond);
    }
    if (burst < 1) {
      throw new IllegalArgumentException("a burst must be at least 1 request, found " + burst);
    }
    this.system = system;
    this.intervalNanos =
        requestsPerSecond == 0 ? 0 : (long) Math.ceil(ONE_SECOND / requestsPerSecond);
    this.toleranceNanos = (burst - 1) * intervalNanos;
    this.longestPauseNanos = Math.max(ONE_SECOND, 2 * intervalNanos);
    this.clock = clock;
    this.pause = pause;
    this.description =
        requestsPerSecond == 0
            ? "no steady limit"
            : String.format(Locale.ROOT, "%.3g requests/s, bursts of %d", requestsPerSecond, burst);
  }

  /** No steady rate: only the system's refusals hold requests back. */
  public static CallPacer unlimited(String system) {
    return new CallPacer(system, 0, 1);
  }

  /** The longest a request waits for its slot on the calling worker. */
  public Duration longestPause() {
    return Duration.ofNanos(longestPauseNanos);
  }

  /**
   * Waits (at most {@link #longestPause()}) until request {@code what} may go, and takes its slot.
   *
   * @throws Throttled when its slot is further away; nothing is taken then
   * @throws TransientFailure ({@code INTERRUPTED}) when the worker is interrupted while it waits
   */
  public void pace(String what) {
    long wait;
    synchronized (this) {
      long now = clock.getAsLong();
      if (!started) {
        nextSlot = now;
        started = true;
      }
      long interval = Math.max(intervalNanos, learntIntervalNanos);
      long tolerance = learntIntervalNanos > intervalNanos ? 0 : toleranceNanos;
      long slot = Math.max(nextSlot, now);
      long sendAt = slot - tolerance;
      boolean held = holding && holdUntil - sendAt > 0;
      if (held) {
        sendAt = holdUntil;
        // Those after it keep to the rate: no burst when a hold ends.
        slot = Math.max(slot, holdUntil + tolerance);
      }
      wait = Math.max(0, sendAt - now);
      if (wait > longestPauseNanos) {
        throw new Throttled(
            "RATE_LIMIT_WAIT",
            what
                + ": held back "
                + TimeUnit.NANOSECONDS.toMillis(wait)
                + " ms by "
                + (held
                    ? system + "'s Retry-After"
                    : "the rate limit on " + system + " (" + describe(interval) + ")"),
            Duration.ofNanos(wait));
      }
      nextSlot = slot + interval;
    }
    if (wait > 0) {
      try {
        pause.pause(wait);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new TransientFailure("INTERRUPTED", what + ": interrupted waiting for its slot", e);
      }
    }
  }

  /**
   * The system answered {@code status}: a 429, or a 503 with {@code Retry-After}, holds every
   * request back for that long.
   *
   * @param retryAfter the {@code Retry-After} header, or null
   * @return how long requests are held back, in milliseconds, if they are
   */
  public OptionalLong answered(int status, String retryAfter) {
    learn(status == 429);
    if (status != 429 && status != 503) {
      return OptionalLong.empty();
    }
    OptionalLong after = RetryAfter.millis(retryAfter, System.currentTimeMillis());
    if (after.isEmpty() && status == 503) {
      return OptionalLong.empty();
    }
    long millis = after.orElse(DEFAULT_HOLD_OFF_MILLIS);
    synchronized (this) {
      long until = clock.getAsLong() + TimeUnit.MILLISECONDS.toNanos(millis);
      if (!holding || until - holdUntil > 0) {
        holdUntil = until;
        holding = true;
      }
    }
    return OptionalLong.of(millis);
  }

  /**
   * A 429 widens the learnt spacing, once per refusal episode: the requests already on their way
   * when the first was refused come back refused during its hold, and teach nothing new. Enough
   * answers in a row without a 429 narrow it.
   */
  private synchronized void learn(boolean refused) {
    long first = TimeUnit.MILLISECONDS.toNanos(FIRST_LEARNT_MILLIS);
    if (refused) {
      answersWithoutRefusal = 0;
      if (holding && holdUntil - clock.getAsLong() > 0) {
        return;
      }
      learntIntervalNanos =
          learntIntervalNanos == 0
              ? first
              : Math.min(
                  2 * learntIntervalNanos, TimeUnit.MILLISECONDS.toNanos(LONGEST_LEARNT_MILLIS));
      return;
    }
    if (learntIntervalNanos > 0 && ++answersWithoutRefusal >= ANSWERS_TO_RELAX) {
      answersWithoutRefusal = 0;
      learntIntervalNanos = learntIntervalNanos / 2 < first ? 0 : learntIntervalNanos / 2;
    }
  }

  /** The spacing learnt from the system's 429s, zero when none. */
  public synchronized Duration learntSpacing() {
    return Duration.ofNanos(learntIntervalNanos);
  }

  private String describe(long interval) {
    return interval > intervalNanos
        ? String.format(
            Locale.ROOT, "%.3g requests/s, learnt from its 429s", (double) ONE_SECOND / interval)
        : description;
  }

  @Override
  public String toString() {
    return description;
  }
}
