package io.meshorch.meshctl.follow;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Looking for a topic its service should have declared. A KRaft broker lists a new topic a moment
 * after its creation returned (2 of 100 lookups right after a creation missed it on an idle
 * machine), so a topic not listed is looked for again for a while before it counts as missing.
 * {@link EventFollower} keeps looking while it polls instead; this is for a client that cannot go
 * on without the topic.
 */
public final class LateTopics {
  /** How long a topic is looked for before it counts as missing. */
  public static final Duration WITHIN = Duration.ofSeconds(5);

  private static final long PACE_MILLIS = 200;

  private LateTopics() {}

  /** One look for the topic: what it found, empty while the topic is not listed. */
  @FunctionalInterface
  public interface Look<T, E extends Exception> {
    Optional<T> find() throws E;
  }

  /** Looks every 200 ms until {@code look} finds something or {@link #WITHIN} has passed. */
  public static <T, E extends Exception> Optional<T> await(Look<T, E> look)
      throws E, InterruptedException {
    Instant deadline = Instant.now().plus(WITHIN);
    Optional<T> found = look.find();
    while (found.isEmpty() && Instant.now().isBefore(deadline)) {
      Thread.sleep(PACE_MILLIS);
      found = look.find();
    }
    return found;
  }
}
