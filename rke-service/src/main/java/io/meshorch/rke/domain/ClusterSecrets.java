package io.meshorch.rke.domain;

import java.util.List;

/**
 * The secret-store references that belong to one cluster of a mesh, all under {@code
 * meshes/<meshId>/clusters/<cluster>/}: what rke-service writes (the admin kubeconfig, the
 * deployment stamp, an RKE2 cluster's join token) and what cni-service writes for the cluster (the
 * clustermesh-apiserver certificates). rke-service removes them all: its part is the last one of a
 * cluster's deletion, and none of them opens anything once the cluster's machines are gone.
 */
public final class ClusterSecrets {
  private ClusterSecrets() {}

  /** The references of cluster {@code cluster} of mesh {@code meshId}, in the order removed. */
  public static List<String> refs(String meshId, String cluster) {
    String base = "meshes/" + meshId + "/clusters/" + cluster + "/";
    return List.of(
        base + "kubeconfig",
        base + "deployment",
        base + "rke2-token",
        base + "clustermesh-apiserver-certs");
  }
}
