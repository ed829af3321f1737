package io.meshorch.cni.adapter.pki;

import io.meshorch.cni.domain.CertificateRequest;
import io.meshorch.cni.domain.ClusterMeshCertificates;
import io.meshorch.cni.domain.IssuedCertificate;
import io.meshorch.cni.domain.MeshCa;
import io.meshorch.cni.port.ClusterMeshCertsPort;
import io.meshorch.kit.failure.TerminalFailure;
import io.meshorch.kit.failure.TransientFailure;
import io.meshorch.kit.port.SecretStore;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The clustermesh-apiserver certificates of each cluster, kept in the secret store under {@code
 * meshes/<meshId>/clusters/<cluster>/clustermesh-apiserver-certs}. Issued from the mesh CA on first
 * use and stored with {@link SecretStore#putIfAbsent}; never issued again, so the chart's Secrets
 * stay the same on every render. A kept set (read back, or stored concurrently by another run) is
 * checked against the CA (real signature verification) before use; one issued here is not.
 */
public final class StoredClusterMeshCerts implements ClusterMeshCertsPort {
  private static final Logger log = LoggerFactory.getLogger(StoredClusterMeshCerts.class);

  private final SecretStore secrets;
  private final BouncyCastleCertIssuer issuer;

  public StoredClusterMeshCerts(SecretStore secrets, BouncyCastleCertIssuer issuer) {
    this.secrets = secrets;
    this.issuer = issuer;
  }

  @Override
  public ClusterMeshCertificates ensure(String meshId, String cluster, MeshCa ca) {
    String ref = ClusterMeshCertificates.secretRef(meshId, cluster);
    try {
      Optional<byte[]> stored = secrets.get(ref);
      if (stored.isPresent()) {
        return check(ref, stored.get(), ca);
      }
      return issue(cluster, ca, ref);
    } catch (UncheckedIOException e) {
      throw new TransientFailure(
          "SECRET_STORE_UNAVAILABLE", "cannot read or write secret " + ref, e);
    }
  }

  /** Issues and stores the set; one stored concurrently meanwhile is checked and used instead. */
  private ClusterMeshCertificates issue(String cluster, MeshCa ca, String ref) {
    Map<CertificateRequest.Role, IssuedCertificate> issued =
        new EnumMap<>(CertificateRequest.Role.class);
    for (CertificateRequest request : ClusterMeshCertificates.requestsFor(cluster)) {
      issued.put(request.role(), issuer.issue(ca, request));
    }
    byte[] fresh = ClusterMeshCertificates.of(issued).encode();
    byte[] stored = secrets.putIfAbsent(ref, fresh);
    if (Arrays.equals(fresh, stored)) {
      log.info(
          "issued the clustermesh-apiserver certificates of {} and stored them as {}",
          cluster,
          ref);
      // Signed by the CA just now: no signature to check again.
      return ClusterMeshCertificates.decode(stored);
    }
    log.info("the clustermesh-apiserver certificates of {} were stored concurrently", cluster);
    return check(ref, stored, ca);
  }

  private static ClusterMeshCertificates check(String ref, byte[] value, MeshCa ca) {
    ClusterMeshCertificates certs;
    try {
      certs = ClusterMeshCertificates.decode(value);
    } catch (IllegalArgumentException e) {
      throw new TerminalFailure(
          "CLUSTERMESH_CERTS_INVALID", "secret " + ref + ": " + e.getMessage());
    }
    for (CertificateRequest.Role role : CertificateRequest.Role.values()) {
      if (!BouncyCastleCertIssuer.issuedBy(certs.get(role).certificatePem(), ca)) {
        throw new TerminalFailure(
            "CLUSTERMESH_CERTS_INVALID",
            "secret "
                + ref
                + ": the "
                + role
                + " certificate was not issued by the mesh CA; delete the secret to have the"
                + " certificates issued again");
      }
    }
    return certs;
  }
}
