package io.meshorch.rke.application;

import io.meshorch.rke.domain.ClusterPlan;
import io.meshorch.rke.domain.SshTarget;
import io.meshorch.rke.port.DeployRun;
import io.meshorch.rke.port.KubernetesDeployerPort;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The deployer of each cluster, chosen by its plan's distribution: RKE1's for {@code rke1} (the
 * default), RKE2's for {@code rke2}. Removing a cluster asks both, since either may hold state of
 * it (a cluster's distribution is not known at deletion).
 */
public final class DeployersByDistribution implements KubernetesDeployerPort {
  private final KubernetesDeployerPort rke1;
  private final KubernetesDeployerPort rke2;

  public DeployersByDistribution(KubernetesDeployerPort rke1, KubernetesDeployerPort rke2) {
    this.rke1 = rke1;
    this.rke2 = rke2;
  }

  @Override
  public DeployRun start(ClusterPlan plan) {
    return plan.rke2() ? rke2.start(plan) : rke1.start(plan);
  }

  @Override
  public DeployRun start(ClusterPlan plan, List<SshTarget> nodes) {
    return plan.rke2() ? rke2.start(plan, nodes) : rke1.start(plan, nodes);
  }

  @Override
  public Optional<String> deployedVersion(ClusterPlan plan) {
    return plan.rke2() ? rke2.deployedVersion(plan) : rke1.deployedVersion(plan);
  }

  @Override
  public List<String> remove(String meshId, String cluster) {
    List<String> removed = new ArrayList<>(rke1.remove(meshId, cluster));
    removed.addAll(rke2.remove(meshId, cluster));
    return removed;
  }
}
