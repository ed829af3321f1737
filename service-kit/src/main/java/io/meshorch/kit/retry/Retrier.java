package io.meshorch.kit.retry;

import io.meshorch.kit.failure.StepFailure;
import io.meshorch.kit.failure.TransientFailure;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a call with bounded retries: {@link TransientFailure}s are retried with the back-off, any
 * other {@link StepFailure} ends at once, and the last transient failure is rethrown when the
 * attempts run out. Blocks the calling (worker) thread during pauses, never a listener thread.
 */
public final class Retrier {
  private static final Logger log = LoggerFactory.getLogger(Retrier.class);

  private final Backoff backoff;

  public Retrier(Backoff backoff) {
    this.backoff = backoff;
  }

  /** Calls {@code call} until it succeeds, fails terminally, or the attempts are used up. */
  public <T> T call(String what, Callable<T> call) {
    for (int attempt = 1; ; attempt++) {
      try {
        return call.call();
      } catch (TransientFailure e) {
        if (attempt >= backoff.maxAttempts()) {
          throw e;
        }
        long pause = backoff.delayAfter(attempt).toMillis();
        log.warn(
            "{} failed (attempt {}/{}), retrying in {} ms: {}",
            what,
            attempt,
            backoff.maxAttempts(),
            pause,
            e.getMessage());
        pause(pause);
      } catch (StepFailure e) {
        throw e;
      } catch (RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new TransientFailure("UNEXPECTED", what + " failed: " + e.getMessage(), e);
      }
    }
  }

  /** Runs {@code call} like {@link #call(String, Callable)} for calls without a result. */
  public void run(String what, Runnable call) {
    call(
        what,
        () -> {
          call.run();
          return null;
        });
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TransientFailure("INTERRUPTED", "interrupted while backing off", e);
    }
  }
}
