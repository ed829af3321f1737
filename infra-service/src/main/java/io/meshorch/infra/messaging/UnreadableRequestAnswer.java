package io.meshorch.infra.messaging;

import io.meshorch.contracts.MeshEvent;
import io.meshorch.contracts.MeshRejected;
import io.meshorch.contracts.Topics;
import io.meshorch.contracts.Violation;
import io.meshorch.kit.messaging.UnreadableRecordAnswer;
import java.util.List;
import java.util.Optional;

/**
 * A client that published something unreadable on {@code mesh.requests} for its mesh (the record
 * key) is told so with a {@link MeshRejected} naming the field {@code record}, so that it does not
 * wait for an answer forever. Unreadable records of other topics are only dead-lettered: their
 * producer is a service, not someone waiting.
 */
public final class UnreadableRequestAnswer implements UnreadableRecordAnswer {

  @Override
  public Optional<MeshEvent> answer(String topic, String meshId, String reason) {
    return Topics.REQUESTS.equals(topic) ? Optional.of(rejection(reason)) : Optional.empty();
  }

  /** The rejection of a request record that could not be processed, for {@code reason}. */
  static MeshRejected rejection(String reason) {
    return new MeshRejected(List.of(new Violation("record", reason)));
  }
}
