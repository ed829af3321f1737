package io.meshorch.testkit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A UTC clock that stands still until a test moves it on. */
public final class MutableClock extends Clock {
  private volatile Instant now;

  /** A clock standing at 2026-12-01T10:00:00Z. */
  public MutableClock() {
    this(Instant.parse("2026-12-01T10:00:00Z"));
  }

  /** A clock standing at {@code now}. */
  public MutableClock(Instant now) {
    this.now = now;
  }

  /** Moves the clock on by {@code by}. */
  public void advance(Duration by) {
    now = now.plus(by);
  }

  @Override
  public Instant instant() {
    return now;
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }
}
