package io.meshorch.kit.messaging;

import io.meshorch.contracts.EventEnvelope;

/**
 * Application code that reacts to one event type. Runs on a worker thread, may block for bounded
 * times, and publishes its outcome itself; a {@link io.meshorch.kit.failure.StepFailure} it throws
 * becomes a {@code ClusterFailed} event.
 */
@FunctionalInterface
public interface EventHandler {
  void handle(EventEnvelope event);
}
