package io.meshorch.cni.domain;

/** A cluster spec cannot be turned into Cilium settings; the message names the field and rule. */
public final class InvalidCiliumValuesException extends RuntimeException {
  public InvalidCiliumValuesException(String message) {
    super(message);
  }
}
