package io.meshorch.cni.adapter.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshorch.cni.domain.ClusterMeshCertificates;
import io.meshorch.cni.domain.MeshCa;
import io.meshorch.kit.failure.StepFailure;
import io.meshorch.kit.secrets.FileSecretStore;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoredClusterMeshCertsTest {
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-11-29T22:00:00Z"), ZoneOffset.UTC);
  private static final BouncyCastleCaGenerator CAS =
      new BouncyCastleCaGenerator(Duration.ofDays(365), CLOCK);

  @TempDir Path dir;

  private static X509Certificate x509(String pem) throws Exception {
    return (X509Certificate)
        CertificateFactory.getInstance("X.509")
            .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.UTF_8)));
  }

  private StoredClusterMeshCerts certs(FileSecretStore store, Duration validity) {
    return new StoredClusterMeshCerts(store, new BouncyCastleCertIssuer(validity, CLOCK));
  }

  @Test
  void issuesOnceFromTheMeshCaAndNeverAgain() throws Exception {
    FileSecretStore store = new FileSecretStore(dir);
    MeshCa ca = CAS.generate("demo");

    ClusterMeshCertificates first = certs(store, Duration.ofDays(30)).ensure("demo", "east", ca);
    ClusterMeshCertificates again = certs(store, Duration.ofDays(30)).ensure("demo", "east", ca);

    assertThat(again).isEqualTo(first);
    assertThat(store.get("meshes/demo/clusters/east/clustermesh-apiserver-certs"))
        .hasValueSatisfying(v -> assertThat(v).isEqualTo(first.encode()));
    assertThat(certs(store, Duration.ofDays(30)).ensure("demo", "west", ca).server())
        .isNotEqualTo(first.server());
    X509Certificate server = x509(first.server().certificatePem());
    server.verify(x509(ca.certificatePem()).getPublicKey());
    assertThat(server.getBasicConstraints()).isEqualTo(-1);
    assertThat(server.getNotAfter().toInstant())
        .isEqualTo(CLOCK.instant().plus(Duration.ofDays(30)));
  }

  @Test
  void neverOutlivesTheCa() throws Exception {
    MeshCa ca = CAS.generate("demo");

    ClusterMeshCertificates certs =
        certs(new FileSecretStore(dir), Duration.ofDays(5000)).ensure("demo", "east", ca);

    assertThat(x509(certs.admin().certificatePem()).getNotAfter())
        .isEqualTo(x509(ca.certificatePem()).getNotAfter());
  }

  @Test
  void refusesKeptCertificatesOfAnotherCa() {
    FileSecretStore store = new FileSecretStore(dir);
    certs(store, Duration.ofDays(30)).ensure("demo", "east", CAS.generate("demo"));

    assertThatThrownBy(
            () -> certs(store, Duration.ofDays(30)).ensure("demo", "east", CAS.generate("demo")))
        .isInstanceOfSatisfying(
            StepFailure.class,
            f -> {
              assertThat(f.code()).isEqualTo("CLUSTERMESH_CERTS_INVALID");
              assertThat(f.retryable()).isFalse();
              assertThat(f.getMessage())
                  .contains("meshes/demo/clusters/east/clustermesh-apiserver-certs", "mesh CA")
                  .doesNotContain("PRIVATE KEY");
            });
  }

  @Test
  void refusesAnUnreadableKeptValue() {
    FileSecretStore store = new FileSecretStore(dir);
    store.put("meshes/demo/clusters/east/clustermesh-apiserver-certs", "junk".getBytes());

    assertThatThrownBy(
            () -> certs(store, Duration.ofDays(30)).ensure("demo", "east", CAS.generate("demo")))
        .isInstanceOfSatisfying(
            StepFailure.class, f -> assertThat(f.code()).isEqualTo("CLUSTERMESH_CERTS_INVALID"));
  }
}
