package io.meshorch.cni.adapter.pki;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshorch.cni.domain.MeshCa;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class BouncyCastleCaGeneratorTest {
  private static final Instant NOW = Instant.parse("2026-11-24T10:00:00Z");
  private static final BouncyCastleCaGenerator GENERATOR =
      new BouncyCastleCaGenerator(Duration.ofDays(1095), Clock.fixed(NOW, ZoneOffset.UTC));

  static X509Certificate certificate(MeshCa ca) throws Exception {
    return (X509Certificate)
        CertificateFactory.getInstance("X.509")
            .generateCertificate(
                new ByteArrayInputStream(ca.certificatePem().getBytes(StandardCharsets.US_ASCII)));
  }

  static PrivateKey privateKey(MeshCa ca) throws Exception {
    String body =
        ca.privateKeyPem()
            .replace("-----BEGIN PRIVATE KEY-----", "")
            .replace("-----END PRIVATE KEY-----", "")
            .replaceAll("\\s", "");
    return KeyFactory.getInstance("EC")
        .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(body)));
  }

  @Test
  void generatesASelfSignedCaCertificateForTheMesh() throws Exception {
    X509Certificate cert = certificate(GENERATOR.generate("demo"));

    assertThat(cert.getSubjectX500Principal().getName()).isEqualTo("CN=Cilium CA demo");
    assertThat(cert.getIssuerX500Principal()).isEqualTo(cert.getSubjectX500Principal());
    cert.verify(cert.getPublicKey());
    assertThat(cert.getBasicConstraints()).isGreaterThanOrEqualTo(0);
    assertThat(cert.getCriticalExtensionOIDs()).contains("2.5.29.19", "2.5.29.15");
    boolean[] usage = cert.getKeyUsage();
    assertThat(usage[5]).as("keyCertSign").isTrue();
    assertThat(usage[6]).as("cRLSign").isTrue();
    assertThat(usage[0]).as("digitalSignature").isFalse();
    assertThat(cert.getPublicKey().getAlgorithm()).isEqualTo("EC");
    assertThat(cert.getNotBefore().toInstant()).isBefore(NOW);
    assertThat(cert.getNotAfter().toInstant()).isEqualTo(NOW.plus(Duration.ofDays(1095)));
  }

  @Test
  void writesAPkcs8KeyThatBelongsToTheCertificate() throws Exception {
    MeshCa ca = GENERATOR.generate("demo");
    byte[] data = "cilium".getBytes(StandardCharsets.UTF_8);

    Signature signer = Signature.getInstance("SHA256withECDSA");
    signer.initSign(privateKey(ca));
    signer.update(data);
    byte[] signature = signer.sign();
    Signature verifier = Signature.getInstance("SHA256withECDSA");
    verifier.initVerify(certificate(ca).getPublicKey());
    verifier.update(data);

    assertThat(ca.privateKeyPem()).startsWith("-----BEGIN PRIVATE KEY-----\n");
    assertThat(verifier.verify(signature)).isTrue();
  }

  @Test
  void generatesAFreshCaEachTime() throws Exception {
    MeshCa first = GENERATOR.generate("demo");
    MeshCa second = GENERATOR.generate("demo");

    assertThat(first).isNotEqualTo(second);
    assertThat(certificate(first).getSerialNumber())
        .isNotEqualTo(certificate(second).getSerialNumber());
  }
}
