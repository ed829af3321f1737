package io.meshorch.rke.domain;

/** The input cannot describe a cluster (a terminal problem: retrying cannot fix it). */
public class InvalidPlanException extends RuntimeException {
  public InvalidPlanException(String message) {
    super(message);
  }
}
