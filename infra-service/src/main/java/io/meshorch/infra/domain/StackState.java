package io.meshorch.infra.domain;

import java.util.Map;

/**
 * A Heat stack as last read.
 *
 * @param id the stack ID
 * @param name the stack name
 * @param status Heat's {@code stack_status}, e.g. {@code CREATE_IN_PROGRESS}
 * @param statusReason Heat's {@code stack_status_reason}
 * @param outputs output key to value (plain maps, lists and strings); values are null while the
 *     stack is in progress
 */
public record StackState(
    String id, String name, String status, String statusReason, Map<String, Object> outputs) {

  public StackState {
    outputs = outputs == null ? Map.of() : java.util.Collections.unmodifiableMap(outputs);
  }

  /** Heat is still working on the stack. */
  public boolean inProgress() {
    return status.endsWith("_IN_PROGRESS");
  }

  /** The last action on the stack failed. */
  public boolean failed() {
    return status.endsWith("_FAILED");
  }

  /** The stack is being, or was, deleted. */
  public boolean deleting() {
    return status.startsWith("DELETE_");
  }

  /** The stack's resources exist: the last create (or a later update) completed. */
  public boolean complete() {
    return status.endsWith("_COMPLETE") && !deleting();
  }
}
