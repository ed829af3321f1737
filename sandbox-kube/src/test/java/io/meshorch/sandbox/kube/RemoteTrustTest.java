package io.meshorch.sandbox.kube;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The certificates the Cilium chart issues (rendered by the test with its own CAs, {@link
 * CiliumRender}), checked as an agent and a remote etcd check them.
 */
class RemoteTrustTest {
  /** A day after the chart issued its certificates, which are valid from the render on. */
  private static final Instant NOW = Instant.now().plus(Duration.ofDays(1));

  /** {@code key} of Secret {@code name} as the chart renders it from CA {@code ca}. */
  private static String chart(String ca, String name, String key) {
    try (InputStream in =
        new ByteArrayInputStream(CiliumRender.yaml(ca).getBytes(StandardCharsets.UTF_8))) {
      for (Object doc : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(in)) {
        if (doc instanceof Map<?, ?> m
            && "Secret".equals(m.get("kind"))
            && m.get("metadata") instanceof Map<?, ?> meta
            && name.equals(meta.get("name"))
            && m.get("data") instanceof Map<?, ?> data) {
          return new String(
              Base64.getDecoder().decode(String.valueOf(data.get(key))), StandardCharsets.UTF_8);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    throw new IllegalArgumentException(name);
  }

  private static String serverCert(String ca) {
    return chart(ca, "clustermesh-apiserver-server-cert", "tls.crt");
  }

  /** What an agent mounts as common-etcd-client-ca.crt. */
  private static String agentCa(String ca) {
    return chart(ca, "clustermesh-apiserver-remote-cert", "ca.crt");
  }

  @Test
  void theChartsServerCertificateVerifiesForAnyMeshClusterName() {
    assertThat(
            RemoteTrust.verifyServer(serverCert("ca1"), agentCa("ca1"), "west.mesh.cilium.io", NOW))
        .isEmpty();
    assertThat(RemoteTrust.verifyServer(serverCert("ca1"), agentCa("ca1"), "b.mesh.cilium.io", NOW))
        .isEmpty();
  }

  @Test
  void aServerCertificateFromAnotherCaIsSignedByAnUnknownAuthority() {
    assertThat(
            RemoteTrust.verifyServer(serverCert("ca2"), agentCa("ca1"), "west.mesh.cilium.io", NOW))
        .contains(
            "tls: failed to verify certificate: x509: certificate signed by unknown authority");
  }

  @Test
  void aNameOutsideTheSansIsRefusedListingWhatTheCertificateIsValidFor() {
    assertThat(RemoteTrust.verifyServer(serverCert("ca1"), agentCa("ca1"), "west.other.io", NOW))
        .contains(
            "tls: failed to verify certificate: x509: certificate is valid for"
                + " clustermesh-apiserver.cilium.io, *.mesh.cilium.io,"
                + " clustermesh-apiserver.kube-system.svc, not west.other.io");
    // A wildcard covers exactly one label.
    assertThat(
            RemoteTrust.verifyServer(
                serverCert("ca1"), agentCa("ca1"), "a.west.mesh.cilium.io", NOW))
        .isPresent();
  }

  @Test
  void anExpiredCertificateIsRefusedWithTheTimes() {
    Instant expiry = RemoteTrust.parse(serverCert("ca1")).get(0).getNotAfter().toInstant();
    assertThat(expiry)
        .as("the chart's certValidityDuration, 36500 days")
        .isAfter(Instant.now().plus(Duration.ofDays(36_000)));
    String notAfter =
        DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'", Locale.ROOT)
            .withZone(ZoneOffset.UTC)
            .format(expiry);

    assertThat(
            RemoteTrust.verifyServer(
                serverCert("ca1"),
                agentCa("ca1"),
                "west.mesh.cilium.io",
                Instant.parse("2200-01-01T00:00:00Z")))
        .hasValueSatisfying(
            e ->
                assertThat(e)
                    .isEqualTo(
                        "tls: failed to verify certificate: x509: certificate has expired or is"
                            + " not yet valid: current time 2200-01-01T00:00:00Z is after "
                            + notAfter));
  }

  @Test
  void aCertificateThatVerifiedOnceIsStillRefusedOnceExpired() {
    assertThat(
            RemoteTrust.verifyServer(serverCert("ca1"), agentCa("ca1"), "west.mesh.cilium.io", NOW))
        .isEmpty();

    assertThat(
            RemoteTrust.verifyServer(
                serverCert("ca1"),
                agentCa("ca1"),
                "west.mesh.cilium.io",
                Instant.parse("2200-01-01T00:00:00Z")))
        .hasValueSatisfying(e -> assertThat(e).contains("certificate has expired"));
  }

  @Test
  void noTrustedCaTrustsNothing() {
    assertThat(RemoteTrust.verifyServer(serverCert("ca1"), "", "west.mesh.cilium.io", NOW))
        .contains(
            "tls: failed to verify certificate: x509: certificate signed by unknown authority");
  }

  @Test
  void theRemoteEtcdAcceptsOnlyClientCertificatesOfItsOwnCa() {
    String client = chart("ca1", "clustermesh-apiserver-remote-cert", "tls.crt");

    assertThat(
            RemoteTrust.verifyClient(
                client, chart("ca1", "clustermesh-apiserver-server-cert", "ca.crt"), NOW))
        .isEmpty();
    assertThat(
            RemoteTrust.verifyClient(
                client, chart("ca2", "clustermesh-apiserver-server-cert", "ca.crt"), NOW))
        .contains("remote error: tls: bad certificate");
    assertThat(
            RemoteTrust.verifyClient(
                null, chart("ca1", "clustermesh-apiserver-server-cert", "ca.crt"), NOW))
        .contains("remote error: tls: certificate required");
  }
}
