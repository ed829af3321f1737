package io.meshorch.cni.support;

import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Plays the kubelet under Cilium on a fabric8 mock API server, where nothing runs pods: marks
 * DaemonSet {@code kube-system/cilium} ready on {@code nodes} nodes and the two Deployments
 * available, once they exist.
 */
public final class CiliumPlayer implements AutoCloseable {
  private final KubernetesClient client;
  private final int nodes;
  private ScheduledExecutorService loop;

  public CiliumPlayer(KubernetesClient client, int nodes) {
    this.client = client;
    this.nodes = nodes;
  }

  /** Marks the agents ready; false while the DaemonSet does not exist. */
  public boolean markAgentsReady(int ready) {
    var agents = client.apps().daemonSets().inNamespace("kube-system").withName("cilium");
    DaemonSet ds = agents.get();
    if (ds == null) {
      return false;
    }
    if (ds.getStatus() == null
        || ds.getStatus().getNumberReady() == null
        || ds.getStatus().getNumberReady() != ready) {
      agents.editStatus(
          x -> {
            x.setStatus(
                new DaemonSetStatusBuilder()
                    .withDesiredNumberScheduled(nodes)
                    .withCurrentNumberScheduled(nodes)
                    .withNumberReady(ready)
                    .withNumberAvailable(ready)
                    .withUpdatedNumberScheduled(nodes)
                    .withNumberMisscheduled(0)
                    .build());
            return x;
          });
    }
    return true;
  }

  /** Marks Deployment {@code kube-system/<name>} available; false while it does not exist. */
  public boolean markAvailable(String name) {
    var resource = client.apps().deployments().inNamespace("kube-system").withName(name);
    Deployment d = resource.get();
    if (d == null) {
      return false;
    }
    if (d.getStatus() == null
        || d.getStatus().getAvailableReplicas() == null
        || d.getStatus().getAvailableReplicas() < 1) {
      resource.editStatus(
          x -> {
            x.setStatus(
                new DeploymentStatusBuilder()
                    .withReplicas(1)
                    .withReadyReplicas(1)
                    .withAvailableReplicas(1)
                    .withUpdatedReplicas(1)
                    .build());
            return x;
          });
    }
    return true;
  }

  /** Marks everything ready; true once all three workloads exist. */
  public boolean markAllReady() {
    boolean agents = markAgentsReady(nodes);
    return List.of("cilium-operator", "clustermesh-apiserver").stream()
        .map(this::markAvailable)
        .reduce(agents, Boolean::logicalAnd);
  }

  /** Plays in the background every {@code period} until closed. */
  public CiliumPlayer start(Duration period) {
    loop = Executors.newSingleThreadScheduledExecutor();
    loop.scheduleWithFixedDelay(
        () -> {
          try {
            markAllReady();
          } catch (KubernetesClientException e) {
            // the API server may be between two writes of a workload; play again next round
          }
        },
        0,
        period.toMillis(),
        TimeUnit.MILLISECONDS);
    return this;
  }

  @Override
  public void close() {
    if (loop != null) {
      loop.shutdownNow();
    }
  }
}
