package io.meshorch.lb.domain;

/** The cluster spec or the settings cannot yield a valid MetalLB configuration. */
public class InvalidLbConfigException extends IllegalArgumentException {
  public InvalidLbConfigException(String message) {
    super(message);
  }
}
