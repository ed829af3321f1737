package io.meshorch.rke.application;

import io.meshorch.contracts.ClusterDeleted;
import io.meshorch.contracts.Stage;
import io.meshorch.kit.port.SecretStore;
import io.meshorch.kit.step.Next;
import io.meshorch.kit.step.Step;
import io.meshorch.kit.step.StepContext;
import io.meshorch.kit.step.Wait;
import io.meshorch.rke.domain.ClusterSecrets;
import io.meshorch.rke.port.KubernetesDeployerPort;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * rke-service's part of deleting one cluster, once infra-service deleted its VMs ({@code
 * ClusterDeleted} part {@code vms}): cancels the cluster's {@code VmsReady} step if it still runs
 * (and waits until it ended), removes the deployer's state ({@code cluster.yml}, {@code
 * cluster.rkestate}, logs; a running {@code rke up} is killed) and the cluster's secrets ({@link
 * ClusterSecrets}), then ends with {@link ClusterDeleted} part {@code kubernetes}, the last part of
 * the cluster. Every removal of a missing thing is success, so a resumed step converges.
 */
public final class DeleteKubernetesStep implements Step {
  private static final Wait OTHERS =
      Wait.of(
          "the cluster's VmsReady step to stop",
          Duration.ofMinutes(2),
          "DEPLOY_STEP_NOT_STOPPED",
          "mesh.ssh.command-timeout");

  private final String meshId;
  private final String cluster;
  private final KubernetesDeployerPort deployer;
  private final SecretStore secrets;

  public DeleteKubernetesStep(
      String meshId, String cluster, KubernetesDeployerPort deployer, SecretStore secrets) {
    this.meshId = meshId;
    this.cluster = cluster;
    this.deployer = deployer;
    this.secrets = secrets;
  }

  @Override
  public Next advance(StepContext ctx) {
    int left = ctx.cancelOtherSteps("mesh " + meshId + " is being deleted (meshctl down)");
    if (left > 0) {
      return Next.waitFor(OTHERS, left + " step(s) of cluster " + cluster + " still running");
    }
    List<ClusterDeleted.Resource> deleted = new ArrayList<>();
    for (String dir : deployer.remove(meshId, cluster)) {
      deleted.add(new ClusterDeleted.Resource("rke-state", dir));
    }
    for (String ref : ClusterSecrets.refs(meshId, cluster)) {
      if (secrets.get(ref).isPresent()) {
        secrets.delete(ref);
        deleted.add(new ClusterDeleted.Resource("secret", ref));
      }
    }
    return Next.done(new ClusterDeleted(Stage.KUBERNETES, deleted));
  }
}
