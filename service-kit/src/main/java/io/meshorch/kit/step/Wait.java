package io.meshorch.kit.step;

import java.time.Duration;
import java.util.Objects;

/**
 * Something a step waits for, with its bound. The kit measures the wait from the first {@link
 * Next#waitFor} naming it (a different name starts a new wait), re-checks with the service's
 * re-check back-off ({@code mesh.service.recheck.*}: fast at first, then slower) unless this wait
 * brings its own, and ends the step with a retryable failure {@link #timeoutCode} when {@link
 * #timeout} passes.
 *
 * @param name what is awaited, e.g. {@code "Heat stack"}; also the wait's identity within a step
 * @param timeout how long the wait may take in all
 * @param timeoutCode the failure code when it times out, e.g. {@code HEAT_STACK_TIMEOUT}
 * @param setting the setting that holds the timeout, named in the failure message
 * @param recheck this wait's own re-check back-off, or null for the service's
 */
public record Wait(
    String name, Duration timeout, String timeoutCode, String setting, Recheck recheck) {

  public Wait {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(timeoutCode, "timeoutCode");
    Objects.requireNonNull(setting, "setting");
  }

  /** A wait re-checked with the service's back-off. */
  public static Wait of(String name, Duration timeout, String timeoutCode, String setting) {
    return new Wait(name, timeout, timeoutCode, setting, null);
  }

  /** The same wait with its own re-check back-off. */
  public Wait rechecking(Recheck recheck) {
    return new Wait(name, timeout, timeoutCode, setting, recheck);
  }
}
