package io.meshorch.sandbox.core.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshorch.sandbox.core.pki.CertificateAuthority.Issued;
import io.meshorch.sandbox.core.pki.CertificateAuthority.Usage;
import java.security.KeyStore;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;

/** What a TLS client checks of the sandbox CA's certificates, checked with the JDK's own PKIX. */
class CertificateAuthorityTest {
  private final CertificateAuthority ca =
      CertificateAuthority.create("CN=Sandbox Test CA,O=meshorch sandbox", Duration.ofDays(1));

  @Test
  void aServerCertificateVerifiesAgainstItsCaAndNamesItsAddresses() throws Exception {
    Issued server =
        ca.issue(
            "CN=keystone",
            List.of("10.0.0.5", "localhost", "::1"),
            List.of(Usage.SERVER),
            Duration.ofHours(1));

    trustManager(ca.certificate())
        .checkServerTrusted(
            new X509Certificate[] {server.certificate(), ca.certificate()}, "ECDHE_ECDSA");
    assertThat(server.certificate().getSubjectAlternativeNames())
        .extracting(n -> n.get(0) + "=" + n.get(1))
        .containsExactly("7=10.0.0.5", "2=localhost", "7=0:0:0:0:0:0:0:1");
    assertThat(server.certificate().getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
    assertThat(server.certificate().getBasicConstraints()).isEqualTo(-1);
    assertThat(ca.certificate().getBasicConstraints()).isGreaterThanOrEqualTo(0);
  }

  @Test
  void anotherCaDoesNotVouchForIt() throws Exception {
    Issued server = ca.issue("CN=keystone", List.of("localhost"), List.of(), Duration.ofHours(1));
    CertificateAuthority other = CertificateAuthority.create("CN=Other", Duration.ofDays(1));

    PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(other.certificate(), null)));
    params.setRevocationEnabled(false);
    assertThatThrownBy(
            () ->
                CertPathValidator.getInstance("PKIX")
                    .validate(
                        CertificateFactory.getInstance("X.509")
                            .generateCertPath(List.of(server.certificate())),
                        params))
        .isInstanceOf(CertPathValidatorException.class);
  }

  @Test
  void pemIsWhatOpensslWrites() {
    assertThat(CertificateAuthority.pem(ca.certificate()))
        .startsWith("-----BEGIN CERTIFICATE-----\n")
        .endsWith("-----END CERTIFICATE-----\n");
    assertThat(CertificateAuthority.pem(ca.keys().getPrivate()))
        .startsWith("-----BEGIN EC PRIVATE KEY-----\n");
  }

  @Test
  void onlyLiteralAddressesAreIpAlternativeNames() {
    assertThat(CertificateAuthority.isIpAddress("192.168.1.10")).isTrue();
    assertThat(CertificateAuthority.isIpAddress("fe80::1")).isTrue();
    assertThat(CertificateAuthority.isIpAddress("metallb-webhook-service.metallb-system.svc"))
        .isFalse();
    assertThat(CertificateAuthority.isIpAddress("cafe")).isFalse();
  }

  private static X509TrustManager trustManager(X509Certificate anchor) throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    store.setCertificateEntry("ca", anchor);
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(store);
    return (X509TrustManager) tmf.getTrustManagers()[0];
  }
}
