package io.meshorch.sandbox.core;

import java.time.Instant;
import java.util.Objects;

/**
 * One external step the sandbox finished: the moment its outcome became visible to the services (a
 * status written, a command answering differently, a kubeconfig returned).
 *
 * @param step the step
 * @param cluster the cluster it belongs to
 * @param object what finished, e.g. a stack, a server, {@code DaemonSet kube-system/cilium}, a
 *     Service, {@code remote east}
 * @param finishedAt when it finished
 */
public record StepRecord(SandboxStep step, ClusterRef cluster, String object, Instant finishedAt) {
  public StepRecord {
    Objects.requireNonNull(step, "step");
    Objects.requireNonNull(cluster, "cluster");
    Objects.requireNonNull(object, "object");
    Objects.requireNonNull(finishedAt, "finishedAt");
  }

  /** The mesh ID, or null when the sandbox could not tell. */
  public String meshId() {
    return cluster.meshId();
  }

  /** The cluster name. */
  public String clusterName() {
    return cluster.cluster();
  }
}
