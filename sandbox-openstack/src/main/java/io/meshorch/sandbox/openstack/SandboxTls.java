package io.meshorch.sandbox.openstack;

import io.meshorch.sandbox.core.pki.CertificateAuthority;
import io.meshorch.sandbox.core.pki.CertificateAuthority.Usage;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * The sandbox cloud's own private CA and the server certificate it issues for the cloud's address
 * (and {@code localhost}), as a cloud behind a company CA has them: clients trust the cloud only
 * when given the CA's PEM ({@code cacert}). Made fresh for every cloud, in memory.
 */
final class SandboxTls {
  private static final Duration VALIDITY = Duration.ofDays(365);

  private final CertificateAuthority ca;
  private final SSLContext serverContext;

  private SandboxTls(CertificateAuthority ca, SSLContext serverContext) {
    this.ca = ca;
    this.serverContext = serverContext;
  }

  /** A new CA and a server certificate for {@code address} (an IP or a host name). */
  static SandboxTls issue(String address) {
    CertificateAuthority ca =
        CertificateAuthority.create("CN=Sandbox Cloud Private CA,O=meshorch sandbox", VALIDITY);
    CertificateAuthority.Issued server =
        ca.issue(
            "CN=" + address + ",O=meshorch sandbox",
            List.copyOf(new LinkedHashSet<>(List.of(address, "127.0.0.1", "localhost"))),
            List.of(Usage.SERVER),
            VALIDITY);
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      char[] password = "sandbox".toCharArray();
      store.setKeyEntry(
          "server",
          server.keys().getPrivate(),
          password,
          new Certificate[] {server.certificate(), ca.certificate()});
      KeyManagerFactory km = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      km.init(store, password);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(km.getKeyManagers(), null, new SecureRandom());
      return new SandboxTls(ca, context);
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot serve TLS with the sandbox cloud's CA", e);
    }
  }

  SSLContext serverContext() {
    return serverContext;
  }

  /** The CA certificate in PEM, what an operator puts in {@code cacert}. */
  String caPem() {
    return CertificateAuthority.pem(ca.certificate());
  }
}
