package io.meshorch.kit.messaging;

import java.time.Duration;
import java.time.Instant;

/**
 * When this service's consumer last finished a record (processed, skipped or dead-lettered). With
 * the consumer lag it tells a stalled consumer from an idle one.
 */
public final class ConsumerProgress {
  private volatile Instant last = Instant.now();

  /** A record was finished. */
  public void progressed() {
    last = Instant.now();
  }

  /** When the last record was finished (or the service started). */
  public Instant last() {
    return last;
  }

  /** How long ago that was. */
  public Duration idleFor() {
    return Duration.between(last, Instant.now());
  }
}
