package io.meshorch.infra.application;

import java.util.List;
import java.util.Optional;

/**
 * How the nodes are set up, from configuration.
 *
 * @param userData the operator's own user data ({@code mesh.vms.user-data-file}), used as is for
 *     every node of every cluster instead of the product's cloud-config; empty: the product's
 * @param orchestratorCidrs where the orchestrator connects from ({@code
 *     mesh.vms.orchestrator-cidrs}): SSH and 6443 are opened to them
 */
public record NodeSetup(Optional<String> userData, List<String> orchestratorCidrs) {
  /** The product's cloud-config, no orchestrator CIDR. */
  public static final NodeSetup DEFAULT = new NodeSetup(Optional.empty(), List.of());

  public NodeSetup {
    orchestratorCidrs = List.copyOf(orchestratorCidrs);
  }
}
