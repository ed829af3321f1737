package io.meshorch.infra.domain;

import java.util.List;
import java.util.Objects;

/**
 * What a cluster's stack needs beyond the cluster spec.
 *
 * @param userData the nodes' user data: {@link CloudConfig#render} of the cluster's SSH user, or
 *     the operator's own ({@code mesh.vms.user-data-file})
 * @param nodeCidrs the CIDRs of the node networks of every cluster of the mesh
 * @param orchestratorCidrs where the orchestrator connects from, when outside the node networks
 */
public record StackInputs(String userData, List<String> nodeCidrs, List<String> orchestratorCidrs) {
  public StackInputs {
    Objects.requireNonNull(userData, "userData");
    nodeCidrs = List.copyOf(nodeCidrs);
    orchestratorCidrs = List.copyOf(orchestratorCidrs);
  }
}
