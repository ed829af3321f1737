package io.meshorch.mesh.domain;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Whether the clusters of a mesh hold one Cilium CA. Agents of clusters with different CAs refuse
 * each other's certificates ({@code x509: certificate signed by unknown authority}), so connecting
 * them can only end in a timeout; {@code cilium clustermesh connect} checks the same before it
 * connects (it compares the CAs' subject key identifiers and warns "Cilium CA certificates do not
 * match between clusters"). Here two CAs are the same when their certificates are: what cni-service
 * installs (it refuses a cluster whose {@code cilium-ca} is another certificate than the mesh's,
 * {@code CA_MISMATCH} at stage {@code cni}), and unlike a key identifier, never equal by absence.
 * Pure.
 */
public final class CaAgreement {
  /** Reason code of a mesh whose clusters hold different Cilium CAs. */
  public static final String CA_MISMATCH = "CA_MISMATCH";

  private CaAgreement() {}

  /**
   * Why the clusters cannot be connected, or empty when they all hold the same CA.
   *
   * @param meshId the mesh (its CA's secret-store reference goes into the advice)
   * @param cas per cluster name, the CA it holds
   * @return the reason: every CA (short fingerprint) with the clusters that hold it, in cluster
   *     name order, and what to do
   */
  public static Optional<String> mismatch(String meshId, Map<String, CiliumCa> cas) {
    Map<CiliumCa, List<String>> holders = new LinkedHashMap<>();
    new TreeMap<>(cas)
        .forEach((cluster, ca) -> holders.computeIfAbsent(ca, k -> new ArrayList<>()).add(cluster));
    if (holders.size() <= 1) {
      return Optional.empty();
    }
    List<String> groups = new ArrayList<>();
    holders.forEach(
        (ca, clusters) ->
            groups.add(String.join(", ", clusters) + " " + verb(clusters) + " " + ca.shortForm()));
    return Optional.of(
        "the clusters hold "
            + holders.size()
            + " different Cilium CAs (Secret kube-system/cilium-ca, SHA-256 of ca.crt): "
            + String.join("; ", groups)
            + ". Their agents would refuse each other's certificates, so no cluster was"
            + " connected. Keep one CA for the mesh as secret meshes/"
            + meshId
            + "/cilium-ca; on each cluster that holds another, delete Secret kube-system/cilium-ca"
            + " and secret meshes/"
            + meshId
            + "/clusters/<cluster>/clustermesh-apiserver-certs; then run up again");
  }

  private static String verb(List<String> clusters) {
    return clusters.size() == 1 ? "holds" : "hold";
  }
}
