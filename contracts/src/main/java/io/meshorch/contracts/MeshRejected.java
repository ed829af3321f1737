package io.meshorch.contracts;

import java.util.List;

/**
 * A {@link MeshRequested} was invalid; nothing was created for it.
 *
 * @param violations every problem found, not only the first
 */
public record MeshRejected(List<Violation> violations) implements MeshEvent {

  /** Requires at least one violation: a rejection without a reason helps nobody. */
  public MeshRejected {
    violations = List.copyOf(violations);
    if (violations.isEmpty()) {
      throw new IllegalArgumentException("a rejection lists at least one violation");
    }
  }
}
