package io.meshorch.sandbox.openstack;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The sandbox cloud's own private CA and the server certificate it issues for the cloud's address
 * (and {@code localhost}), as a cloud behind a company CA has them: clients trust the cloud only
 * when given the CA's PEM ({@code cacert}). Made fresh for every cloud, in memory.
 */
final class SandboxTls {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final X509Certificate caCertificate;
  private final SSLContext serverContext;

  private SandboxTls(X509Certificate caCertificate, SSLContext serverContext) {
    this.caCertificate = caCertificate;
    this.serverContext = serverContext;
  }

  /** A new CA and a server certificate for {@code address} (an IP or a host name). */
  static SandboxTls issue(String address) {
    try {
      KeyPairGenerator keys = KeyPairGenerator.getInstance("EC");
      keys.initialize(256, RANDOM);
      KeyPair caKeys = keys.generateKeyPair();
      KeyPair serverKeys = keys.generateKeyPair();
      Instant now = Instant.now();
      X500Name ca = new X500Name("CN=Sandbox Cloud Private CA,O=meshorch sandbox");
      X509Certificate caCert =
          sign(
              new JcaX509v3CertificateBuilder(
                      ca,
                      serial(),
                      Date.from(now.minus(Duration.ofHours(1))),
                      Date.from(now.plus(Duration.ofDays(365))),
                      ca,
                      caKeys.getPublic())
                  .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                  .addExtension(
                      Extension.keyUsage,
                      true,
                      new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign)),
              caKeys);
      GeneralName self =
          isIp(address)
              ? new GeneralName(GeneralName.iPAddress, address)
              : new GeneralName(GeneralName.dNSName, address);
      X509Certificate serverCert =
          sign(
              new JcaX509v3CertificateBuilder(
                      ca,
                      serial(),
                      Date.from(now.minus(Duration.ofHours(1))),
                      Date.from(now.plus(Duration.ofDays(365))),
                      new X500Name("CN=" + address + ",O=meshorch sandbox"),
                      serverKeys.getPublic())
                  .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                  .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                  .addExtension(
                      Extension.extendedKeyUsage,
                      false,
                      new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
                  .addExtension(
                      Extension.subjectAlternativeName,
                      false,
                      new GeneralNames(
                          new GeneralName[] {
                            self,
                            new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                            new GeneralName(GeneralName.dNSName, "localhost")
                          })),
              caKeys);
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      char[] password = "sandbox".toCharArray();
      store.setKeyEntry(
          "server", serverKeys.getPrivate(), password, new Certificate[] {serverCert, caCert});
      KeyManagerFactory km = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      km.init(store, password);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(km.getKeyManagers(), null, RANDOM);
      return new SandboxTls(caCert, context);
    } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
      throw new IllegalStateException("cannot make the sandbox cloud's CA", e);
    }
  }

  SSLContext serverContext() {
    return serverContext;
  }

  /** The CA certificate in PEM, what an operator puts in {@code cacert}. */
  String caPem() {
    try {
      return "-----BEGIN CERTIFICATE-----\n"
          + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(caCertificate.getEncoded())
          + "\n-----END CERTIFICATE-----\n";
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot encode the sandbox CA", e);
    }
  }

  private static boolean isIp(String address) {
    if (!address.matches("[0-9.]+|[0-9a-fA-F:]+")) {
      return false;
    }
    try {
      return InetAddress.getByName(address) != null;
    } catch (IOException e) {
      return false;
    }
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair issuer)
      throws OperatorCreationException, GeneralSecurityException {
    ContentSigner signer =
        new JcaContentSignerBuilder("SHA256withECDSA").build(issuer.getPrivate());
    return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
  }

  private static BigInteger serial() {
    return new BigInteger(64, RANDOM);
  }
}
