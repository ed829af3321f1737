package io.meshorch.sandbox.kube;

/**
 * Whether the Cilium agents of one sandbox cluster can open a TCP connection to a mesh endpoint
 * (the LoadBalancer IP of another cluster's {@code clustermesh-apiserver}, port 2379). The default
 * answers yes; a sandbox that models the cloud's network (anti-spoofing until the IP is an allowed
 * address pair of the owner's ports, security groups) plugs its rule in here. Called on every
 * {@code cilium-dbg} exec; must be fast and thread-safe.
 */
@FunctionalInterface
public interface MeshReachability {
  /** The TCP port of the mesh endpoint. */
  int MESH_PORT = 2379;

  /** Every endpoint is reachable. */
  MeshReachability ALWAYS = (from, ip, owner) -> true;

  /**
   * @param from the cluster whose agent dials
   * @param ip the mesh endpoint IP it dials
   * @param owner the cluster whose MetalLB assigned {@code ip}
   * @return true when the connection would be established
   */
  boolean reachable(SandboxCluster from, String ip, SandboxCluster owner);
}
