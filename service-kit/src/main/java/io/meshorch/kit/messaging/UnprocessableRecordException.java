package io.meshorch.kit.messaging;

/** A record that no retry can make processable (no value, too large); dead-lettered at once. */
public final class UnprocessableRecordException extends RuntimeException {
  public UnprocessableRecordException(String message) {
    super(message);
  }
}
