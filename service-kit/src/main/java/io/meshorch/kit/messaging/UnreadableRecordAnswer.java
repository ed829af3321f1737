package io.meshorch.kit.messaging;

import io.meshorch.contracts.MeshEvent;
import java.util.Optional;

/**
 * How a service answers a record it cannot even read as an event (not JSON, no payload, too large),
 * for the mesh named by the record's key. The service that validates requests answers an unreadable
 * request with a rejection; others only dead-letter such records.
 */
@FunctionalInterface
public interface UnreadableRecordAnswer {
  /** Nobody is answered; the record only goes to the dead-letter topic. */
  UnreadableRecordAnswer NONE = (topic, meshId, reason) -> Optional.empty();

  /**
   * The answer for mesh {@code meshId} to an unreadable record of {@code topic}, if any.
   *
   * @param reason why the record cannot be read, for humans
   */
  Optional<MeshEvent> answer(String topic, String meshId, String reason);
}
