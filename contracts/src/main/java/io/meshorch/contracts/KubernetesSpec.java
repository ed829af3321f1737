package io.meshorch.contracts;

/**
 * Which Kubernetes distribution (and version) rke-service deploys on a cluster's VMs. Optional
 * everywhere: a cluster without it takes the mesh's ({@link MeshRequested#kubernetes()}), and a
 * mesh without one gets {@value #RKE1} at the version rke-service is configured with (the default,
 * as before this field existed).
 *
 * <p>Checked by {@code MeshRequestValidator}: {@code distribution} is {@value #RKE1} or {@value
 * #RKE2}; {@code version}, when given, has the distribution's form ({@code v1.28.15-rancher1-1} for
 * RKE1's {@code kubernetes_version}, {@code v1.30.4+rke2r1} for an RKE2 release).
 *
 * @param distribution {@value #RKE1} ({@code rke up}; end of life since 31 July 2025) or {@value
 *     #RKE2} (RKE2 installed over SSH, containerd built in, no Docker on the nodes)
 * @param version the release to install, in the distribution's form; null: rke-service's default
 *     for the distribution
 */
public record KubernetesSpec(String distribution, String version) {

  /** RKE1, deployed with {@code rke up} (the default). */
  public static final String RKE1 = "rke1";

  /** RKE2, installed on every node over SSH. */
  public static final String RKE2 = "rke2";
}
