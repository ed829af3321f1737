package io.meshorch.infra.domain;

/** Heat refused to create a stack because one of that name exists (409 StackExists). */
public final class StackAlreadyExistsException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public StackAlreadyExistsException(String stackName) {
    super("a stack named " + stackName + " already exists");
  }
}
