package io.meshorch.contracts;

/** A record is not a valid event envelope (bad JSON, missing fields, broken invariants). */
public class MalformedEventException extends RuntimeException {
  public MalformedEventException(String message, Throwable cause) {
    super(message, cause);
  }
}
