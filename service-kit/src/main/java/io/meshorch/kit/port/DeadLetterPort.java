package io.meshorch.kit.port;

import io.meshorch.contracts.EventEnvelope;

/**
 * The dead-letter topics: where an event goes that this service could not process, with the reason,
 * for an operator to inspect and, once the cause is fixed, to publish again.
 */
public interface DeadLetterPort {

  /**
   * Puts {@code event}, read from {@code topic}, on {@code <topic>.dlt} with {@code reason} in a
   * header. Best effort: a failure is logged, never thrown.
   */
  void send(String topic, EventEnvelope event, String reason);
}
