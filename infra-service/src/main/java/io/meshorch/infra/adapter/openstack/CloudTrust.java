package io.meshorch.infra.adapter.openstack;

import io.meshorch.infra.domain.CloudCredentials;
import io.meshorch.infra.domain.CloudCredentialsParser.InvalidCloudConfig;
import io.meshorch.infra.domain.CloudTls;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS trust of one cloud's HTTP client, from its {@link CloudTls}: the JDK's trust store; or
 * only the CA certificates of the {@code cacert} PEM bundle (as python-requests, and so the
 * OpenStack client, uses {@code verify=<bundle>}: the bundle replaces the default store, so a
 * cloud's operator decides exactly which CAs vouch for it); or, with {@code verify: false}, any
 * certificate and any host name, with a warning naming the cloud.
 */
final class CloudTrust {
  private static final Logger log = LoggerFactory.getLogger(CloudTrust.class);

  private CloudTrust() {}

  /**
   * The SSL context for {@code cloud}.
   *
   * @throws InvalidCloudConfig when {@code cacert} does not exist or holds no certificate
   */
  static SSLContext sslContext(CloudCredentials cloud) {
    CloudTls tls = cloud.tls();
    try {
      if (!tls.verify()) {
        log.warn(
            "TLS certificate verification is OFF for OpenStack cloud {} ({}): any server can pose"
                + " as this cloud and read its credentials; set cacert to the cloud's CA instead",
            cloud.source(),
            tls.verifySetting());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {new AcceptingTrustManager()}, null);
        return context;
      }
      if (tls.cacert() == null) {
        return SSLContext.getDefault();
      }
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int i = 0;
      for (Certificate certificate : certificates(tls)) {
        store.setCertificateEntry("cacert-" + i++, certificate);
      }
      TrustManagerFactory factory =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(store);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, factory.getTrustManagers(), null);
      log.info(
          "OpenStack cloud {} trusts the {} CA certificate(s) of {} ({})",
          cloud.source(),
          i,
          tls.cacert(),
          tls.cacertSetting());
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot set up TLS for cloud " + cloud.source(), e);
    }
  }

  private static Collection<? extends Certificate> certificates(CloudTls tls) throws IOException {
    Path path = Path.of(tls.cacert());
    String rule = " (cacert must name a PEM file of the cloud's CA certificates)";
    if (!Files.isRegularFile(path)) {
      throw new InvalidCloudConfig(
          tls.cacertSetting() + " names " + path + ", which does not exist or is no file" + rule);
    }
    Collection<? extends Certificate> found;
    try (InputStream in = Files.newInputStream(path)) {
      found = CertificateFactory.getInstance("X.509").generateCertificates(in);
    } catch (CertificateException e) {
      throw new InvalidCloudConfig(
          tls.cacertSetting() + ": " + path + " holds no readable certificate" + rule + ": " + e);
    }
    if (found.isEmpty()) {
      throw new InvalidCloudConfig(
          tls.cacertSetting()
              + ": "
              + path
              + " holds no certificate (no '-----BEGIN CERTIFICATE-----' block)"
              + rule);
    }
    return found;
  }

  /** Accepts every certificate and, being an extended trust manager, skips the host name check. */
  private static final class AcceptingTrustManager extends X509ExtendedTrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
