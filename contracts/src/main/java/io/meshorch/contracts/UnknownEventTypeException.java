package io.meshorch.contracts;

/**
 * A record carries a logical type this build does not know (a newer producer, or a foreign record).
 * Consumers log and skip it; it is not a poison pill.
 */
public class UnknownEventTypeException extends RuntimeException {
  private final String wireName;

  public UnknownEventTypeException(String wireName) {
    super("unknown event type '" + wireName + "'");
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }
}
