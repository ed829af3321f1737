package io.meshorch.kit.pacing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshorch.kit.failure.Throttled;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * The slots a {@link CallPacer} gives, on a clock that moves only when a caller pauses or comes
 * back after a {@link Throttled} (as the kit calls a throttled step again).
 */
class CallPacerTest {
  private static final long MS = 1_000_000L;

  private static final class Caller {
    long now = 5_000 * MS;
    final List<Long> sentAt = new ArrayList<>();
    final List<Long> paused = new ArrayList<>();
    final List<Long> toldToComeBack = new ArrayList<>();

    CallPacer pacer(double perSecond, int burst) {
      return new CallPacer(
          "the cloud",
          perSecond,
          burst,
          () -> now,
          nanos -> {
            paused.add(nanos / MS);
            now += nanos;
          });
    }

    void send(CallPacer pacer) {
      while (true) {
        try {
          pacer.pace("GET /stacks");
          sentAt.add((now - 5_000 * MS) / MS);
          return;
        } catch (Throttled t) {
          toldToComeBack.add(t.retryAfter().toMillis());
          now += t.retryAfter().toNanos();
        }
      }
    }
  }

  @Test
  void aBurstGoesAtOnceThenOneRequestPerIntervalAndAQuietTimeRefillsIt() {
    Caller caller = new Caller();
    CallPacer pacer = caller.pacer(10, 3);

    for (int i = 0; i < 6; i++) {
      caller.send(pacer);
    }
    caller.now += 1_000 * MS;
    for (int i = 0; i < 4; i++) {
      caller.send(pacer);
    }

    assertThat(caller.sentAt)
        .containsExactly(0L, 0L, 0L, 100L, 200L, 300L, 1300L, 1300L, 1300L, 1400L);
    assertThat(caller.paused).containsExactly(100L, 100L, 100L, 100L);
    assertThat(caller.toldToComeBack).isEmpty();
  }

  @Test
  void slotsFurtherThanTheLongestPauseAreNotTakenAndTheCallerIsToldWhenToComeBack() {
    // Twelve workers ask at once: ten wait their turn (at most a second), two come back later.
    Caller caller = new Caller();
    CallPacer pacer = caller.pacer(10, 1);
    List<String> outcomes = new ArrayList<>();
    long start = caller.now;
    for (int i = 0; i < 12; i++) {
      caller.now = start;
      try {
        pacer.pace("GET /stacks");
        outcomes.add("waited " + (caller.now - start) / MS);
      } catch (Throttled t) {
        assertThat(t.code()).isEqualTo("RATE_LIMIT_WAIT");
        assertThat(t.getMessage())
            .isEqualTo(
                "GET /stacks: held back 1100 ms by the rate limit on the cloud (10.0 requests/s,"
                    + " bursts of 1)");
        outcomes.add("come back in " + t.retryAfter().toMillis());
      }
    }

    assertThat(outcomes)
        .containsExactly(
            "waited 0",
            "waited 100",
            "waited 200",
            "waited 300",
            "waited 400",
            "waited 500",
            "waited 600",
            "waited 700",
            "waited 800",
            "waited 900",
            "waited 1000",
            "come back in 1100");
    assertThat(pacer.longestPause()).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void a429WithRetryAfterHoldsEveryRequestBackThenTheyGoAtTheRateAgain() {
    Caller caller = new Caller();
    CallPacer pacer = caller.pacer(10, 3);
    caller.send(pacer);

    assertThat(pacer.answered(429, "2")).isEqualTo(OptionalLong.of(2000));
    assertThatThrownBy(() -> pacer.pace("POST /stacks"))
        .isInstanceOfSatisfying(
            Throttled.class, t -> assertThat(t.retryAfter()).isEqualTo(Duration.ofSeconds(2)))
        .hasMessage("POST /stacks: held back 2000 ms by the cloud's Retry-After");
    for (int i = 0; i < 3; i++) {
      caller.send(pacer);
    }

    assertThat(caller.sentAt).containsExactly(0L, 2000L, 2100L, 2200L);
  }

  @Test
  void withoutASteadyRateOnlyTheSystemsRefusalsHoldBack() {
    Caller caller = new Caller();
    CallPacer pacer = caller.pacer(0, 1);
    for (int i = 0; i < 3; i++) {
      caller.send(pacer);
    }

    // A 429 without Retry-After (a proxy's default page) holds back for a second.
    assertThat(pacer.answered(429, null)).isEqualTo(OptionalLong.of(1000));
    caller.send(pacer);
    caller.send(pacer);
    // A 503 holds back only when it says how long; other answers never.
    assertThat(pacer.answered(503, null)).isEmpty();
    assertThat(pacer.answered(500, "5")).isEmpty();
    caller.send(pacer);
    assertThat(pacer.answered(503, "3")).isEqualTo(OptionalLong.of(3000));
    caller.send(pacer);

    // After the 429, requests are spaced by what it taught (below), also once the hold ends.
    assertThat(caller.sentAt).containsExactly(0L, 0L, 0L, 1000L, 1100L, 1200L, 4200L);
    assertThat(caller.toldToComeBack).containsExactly(3000L);
  }

  @Test
  void workersHeldBackByARetryAfterGoOneAfterAnotherWhenItEndsNotAllAtOnce() {
    Caller caller = new Caller();
    CallPacer pacer = caller.pacer(0, 1);
    for (int i = 0; i < 5; i++) {
      caller.send(pacer);
    }

    pacer.answered(429, "1");
    for (int i = 0; i < 4; i++) {
      caller.send(pacer);
    }

    assertThat(caller.sentAt).containsExactly(0L, 0L, 0L, 0L, 0L, 1000L, 1100L, 1200L, 1300L);
  }

  @Test
  void each429WidensTheLearntSpacingAndAnswersWithoutOneNarrowItAgain() {
    CallPacer pacer = new Caller().pacer(0, 1);
    List<Long> spacing = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      pacer.answered(429, "0");
      spacing.add(pacer.learntSpacing().toMillis());
    }
    for (int i = 0; i < 3 * CallPacer.ANSWERS_TO_RELAX; i++) {
      pacer.answered(i % 2 == 0 ? 200 : 404, null);
      if ((i + 1) % CallPacer.ANSWERS_TO_RELAX == 0) {
        spacing.add(pacer.learntSpacing().toMillis());
      }
    }
    for (int i = 0; i < 10; i++) {
      pacer.answered(429, "0");
    }

    assertThat(spacing).containsExactly(100L, 200L, 400L, 200L, 100L, 0L);
    assertThat(pacer.learntSpacing()).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void refusalsOfRequestsAlreadyOnTheirWayDuringAHoldTeachNothingMore() {
    Caller caller = new Caller();
    CallPacer pacer = caller.pacer(0, 1);
    pacer.answered(429, "1");
    // Seven more of the same burst come back refused while the hold lasts.
    for (int i = 0; i < 7; i++) {
      pacer.answered(429, "1");
    }
    assertThat(pacer.learntSpacing()).isEqualTo(Duration.ofMillis(100));

    caller.now += 1_000 * MS;
    pacer.answered(429, "1");
    assertThat(pacer.learntSpacing())
        .as("a refusal after the hold")
        .isEqualTo(Duration.ofMillis(200));
  }

  @Test
  void aSteadyRateSlowerThanWhatA429TaughtIsKeptAndAFasterOneSlowsDown() {
    Caller slow = new Caller();
    CallPacer oneASecond = slow.pacer(1, 1);
    slow.send(oneASecond);
    oneASecond.answered(429, "0");
    slow.send(oneASecond);
    assertThat(slow.sentAt).containsExactly(0L, 1000L);

    Caller fast = new Caller();
    CallPacer fifty = fast.pacer(50, 5);
    for (int i = 0; i < 3; i++) {
      fifty.answered(429, "0");
    }
    for (int i = 0; i < 3; i++) {
      fast.send(fifty);
    }
    assertThat(fast.sentAt).as("400 ms apart, no burst").containsExactly(0L, 400L, 800L);
  }

  @Test
  void aSlowRateWaitsUpToTwoIntervals() {
    assertThat(new CallPacer("x", 0.25, 1).longestPause()).isEqualTo(Duration.ofSeconds(8));
  }

  @Test
  void refusesANegativeRateAndAnEmptyBurst() {
    assertThatThrownBy(() -> new CallPacer("x", -1, 1))
        .hasMessageContaining("a rate must be 0 (none) or a positive number");
    assertThatThrownBy(() -> new CallPacer("x", 5, 0))
        .hasMessageContaining("a burst must be at least 1 request, found 0");
  }

  @Test
  void readsRetryAfterAsSecondsOrAsAnHttpDate() {
    long now = Instant.parse("2026-11-30T12:00:00Z").toEpochMilli();
    String inFiveSeconds =
        DateTimeFormatter.RFC_1123_DATE_TIME.format(
            Instant.parse("2026-11-30T12:00:05Z").atOffset(ZoneOffset.UTC));

    assertThat(RetryAfter.millis("7", now)).isEqualTo(OptionalLong.of(7000));
    assertThat(RetryAfter.millis(inFiveSeconds, now)).isEqualTo(OptionalLong.of(5000));
    assertThat(RetryAfter.millis("Sun, 06 Nov 1994 08:49:37 GMT", now))
        .isEqualTo(OptionalLong.of(0));
    assertThat(RetryAfter.millis("soon", now)).isEmpty();
    assertThat(RetryAfter.millis(null, now)).isEmpty();
  }
}
