package io.meshorch.kit.port;

import io.meshorch.contracts.EventEnvelope;

/** Publishes events of this service on its own topic, keyed by mesh ID. */
public interface EventPublisherPort {

  /**
   * Publishes {@code event} and returns once the broker acknowledged it, so that a caller can
   * acknowledge its own input only after its outcome is durable.
   *
   * @throws io.meshorch.kit.failure.TransientFailure when the broker did not acknowledge in time
   */
  void publish(EventEnvelope event);
}
