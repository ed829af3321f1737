package io.meshorch.contracts;

import java.util.List;

/**
 * A {@link MeshRequested} was invalid; nothing was created for it.
 *
 * @param violations every broken rule, not only the first: one entry per rule and field (a field
 *     pattern such as {@code clusters[*].podCidr} with a count and examples when several clusters
 *     break it), at most {@code MeshRequestValidator.MAX_VIOLATIONS}
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
