package io.meshorch.kit.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshorch.kit.failure.TerminalFailure;
import io.meshorch.kit.failure.TransientFailure;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RetrierTest {
  private final Retrier retrier =
      new Retrier(new Backoff(3, Duration.ofMillis(1), Duration.ofMillis(5), 2));

  @Test
  void retriesTransientFailuresUntilSuccess() {
    AtomicInteger calls = new AtomicInteger();

    String result =
        retrier.call(
            "flaky call",
            () -> {
              if (calls.incrementAndGet() < 3) {
                throw new TransientFailure("HTTP_503", "unavailable");
              }
              return "ok";
            });

    assertThat(result).isEqualTo("ok");
    assertThat(calls).hasValue(3);
  }

  @Test
  void givesUpAfterTheLastAttempt() {
    AtomicInteger calls = new AtomicInteger();

    assertThatThrownBy(
            () ->
                retrier.run(
                    "always down",
                    () -> {
                      calls.incrementAndGet();
                      throw new TransientFailure("HTTP_503", "unavailable");
                    }))
        .isInstanceOf(TransientFailure.class);
    assertThat(calls).hasValue(3);
  }

  @Test
  void neverRetriesTerminalFailures() {
    AtomicInteger calls = new AtomicInteger();

    assertThatThrownBy(
            () ->
                retrier.run(
                    "bad input",
                    () -> {
                      calls.incrementAndGet();
                      throw new TerminalFailure("INVALID", "no");
                    }))
        .isInstanceOf(TerminalFailure.class);
    assertThat(calls).hasValue(1);
  }

  @ParameterizedTest(name = "after {0} failures the pause is {1} ms")
  @CsvSource({"1, 100", "2, 200", "3, 400", "4, 800", "5, 1000", "9, 1000"})
  void growsThePauseExponentiallyUpToTheCap(int failures, long millis) {
    Backoff backoff = new Backoff(10, Duration.ofMillis(100), Duration.ofSeconds(1), 2);
    assertThat(backoff.delayAfter(failures)).isEqualTo(Duration.ofMillis(millis));
  }
}
