package io.meshorch.rke.domain;

/** A node's host key cannot be verified; never retried, the node is not contacted. */
public class UntrustedHostException extends RuntimeException {
  private final String code;

  public UntrustedHostException(String code, String message) {
    super(message);
    this.code = code;
  }

  /** Stable reason code, {@code HOST_KEY_UNKNOWN} or {@code HOST_KEY_INVALID}. */
  public String code() {
    return code;
  }
}
