package io.meshorch.mesh.adapter.kubernetes;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshorch.kit.failure.TerminalFailure;
import io.meshorch.kube.KubeCalls;
import io.meshorch.mesh.domain.CiliumCa;
import java.io.ByteArrayInputStream;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Reads the Cilium CA of a cluster as {@code cilium clustermesh connect} does ({@code getCACert} in
 * cilium-cli's {@code clustermesh.go}): Secret {@code kube-system/cilium-ca}, the certificate under
 * {@code ca.crt} (the chart's {@code helm} and {@code cronJob} methods, and cni-service) or {@code
 * tls.crt} (cert-manager), its first PEM block. Only the certificate's fingerprint leaves this
 * class: the key ({@code ca.key}) is never read.
 */
final class CiliumCaSecret {
  static final String NAME = "cilium-ca";
  static final List<String> CERTIFICATE_KEYS = List.of("ca.crt", "tls.crt");

  private CiliumCaSecret() {}

  /** The CA in the cluster of {@code client}. */
  static CiliumCa read(KubernetesClient client) {
    String what = "Secret " + Fabric8ClusterMeshAdapter.NAMESPACE + "/" + NAME;
    Secret secret =
        KubeCalls.call(
            "read " + what,
            () ->
                client
                    .secrets()
                    .inNamespace(Fabric8ClusterMeshAdapter.NAMESPACE)
                    .withName(NAME)
                    .get());
    if (secret == null) {
      throw new TerminalFailure(
          "CILIUM_CA_MISSING",
          what
              + " does not exist, so its CA cannot be compared with the other clusters' (Cilium"
              + " must be installed with the mesh's CA)");
    }
    Map<String, String> data = secret.getData() == null ? Map.of() : secret.getData();
    String encoded =
        CERTIFICATE_KEYS.stream().map(data::get).filter(v -> v != null).findFirst().orElse(null);
    if (encoded == null) {
      throw new TerminalFailure(
          "CILIUM_CA_MISSING", what + " has no certificate (neither ca.crt nor tls.crt)");
    }
    return CiliumCa.ofCertificate(certificate(what, encoded));
  }

  /** The DER encoding of the first certificate in the base64 {@code data} value. */
  private static byte[] certificate(String what, String encoded) {
    try {
      byte[] pem = Base64.getDecoder().decode(encoded);
      X509Certificate certificate =
          (X509Certificate)
              CertificateFactory.getInstance("X.509")
                  .generateCertificate(new ByteArrayInputStream(pem));
      return certificate.getEncoded();
    } catch (IllegalArgumentException | CertificateException e) {
      throw new TerminalFailure(
          "CILIUM_CA_INVALID", what + " does not hold a PEM X.509 certificate in its data");
    }
  }
}
