package io.meshorch.cni.adapter.pki;

import io.meshorch.cni.domain.CertificateRequest;
import io.meshorch.cni.domain.IssuedCertificate;
import io.meshorch.cni.domain.MeshCa;
import io.meshorch.kit.failure.TerminalFailure;
import java.io.IOException;
import java.io.StringReader;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Issues the clustermesh-apiserver certificates from the mesh CA with BouncyCastle, in the shape
 * the Cilium chart's own generator (Sprig's {@code genSignedCert}) gives them: {@code
 * basicConstraints CA:false}, {@code keyUsage digitalSignature, keyEncipherment}, {@code
 * extendedKeyUsage serverAuth, clientAuth}, the request's CN and SANs. Keys are EC P-256 (PKCS#8),
 * valid from five minutes ago for the configured validity, never past the CA's own end.
 */
public final class BouncyCastleCertIssuer {
  private static final Duration BACKDATE = Duration.ofMinutes(5);

  private final Duration validity;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();

  /**
   * @param validity how long an issued certificate is valid (three years by default, as the chart)
   * @param clock the time source of the validity window
   */
  public BouncyCastleCertIssuer(Duration validity, Clock clock) {
    this.validity = validity;
    this.clock = clock;
  }

  /**
   * A new certificate for {@code request}, signed by {@code ca}.
   *
   * @throws TerminalFailure {@code MESH_CA_INVALID} when the CA cannot be read, {@code
   *     CLUSTERMESH_CERTS_GENERATION_FAILED} when the JDK lacks EC P-256 or the signature algorithm
   */
  public IssuedCertificate issue(MeshCa ca, CertificateRequest request) {
    X509Certificate caCert = certificate(ca.certificatePem());
    PrivateKey caKey = privateKey(ca.privateKeyPem());
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"), random);
      KeyPair keys = generator.generateKeyPair();
      X500Name subject =
          new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, request.commonName()).build();
      Instant now = clock.instant();
      Instant end = now.plus(validity);
      if (end.isAfter(caCert.getNotAfter().toInstant())) {
        end = caCert.getNotAfter().toInstant();
      }
      JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
                  caCert,
                  new BigInteger(127, random).setBit(127),
                  Date.from(now.minus(BACKDATE)),
                  Date.from(end),
                  subject,
                  keys.getPublic())
              .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
              .addExtension(
                  Extension.keyUsage,
                  true,
                  new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment))
              .addExtension(
                  Extension.extendedKeyUsage,
                  false,
                  new ExtendedKeyUsage(
                      new KeyPurposeId[] {
                        KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth
                      }))
              .addExtension(
                  Extension.authorityKeyIdentifier,
                  false,
                  extensions.createAuthorityKeyIdentifier(caCert));
      List<GeneralName> names = new ArrayList<>();
      request.dnsNames().forEach(n -> names.add(new GeneralName(GeneralName.dNSName, n)));
      request.ipAddresses().forEach(ip -> names.add(new GeneralName(GeneralName.iPAddress, ip)));
      if (!names.isEmpty()) {
        builder.addExtension(
            Extension.subjectAlternativeName,
            false,
            new GeneralNames(names.toArray(GeneralName[]::new)));
      }
      String algorithm = caKey.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
      byte[] der = builder.build(new JcaContentSignerBuilder(algorithm).build(caKey)).getEncoded();
      return new IssuedCertificate(
          pem("CERTIFICATE", der), pem("PRIVATE KEY", keys.getPrivate().getEncoded()));
    } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
      throw new TerminalFailure(
          "CLUSTERMESH_CERTS_GENERATION_FAILED",
          "cannot issue the " + request.role() + " certificate: " + e.getClass().getSimpleName(),
          e);
    }
  }

  /**
   * True when {@code certificatePem} was signed by {@code ca}'s key (real signature verification).
   */
  public static boolean issuedBy(String certificatePem, MeshCa ca) {
    try {
      certificate(certificatePem).verify(certificate(ca.certificatePem()).getPublicKey());
      return true;
    } catch (GeneralSecurityException | TerminalFailure e) {
      return false;
    }
  }

  static X509Certificate certificate(String pem) {
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      Object parsed = parser.readObject();
      if (parsed instanceof X509CertificateHolder holder) {
        return new JcaX509CertificateConverter().getCertificate(holder);
      }
    } catch (IOException | GeneralSecurityException e) {
      throw new TerminalFailure("MESH_CA_INVALID", "the certificate cannot be read", e);
    }
    throw new TerminalFailure("MESH_CA_INVALID", "the certificate is not a PEM certificate");
  }

  private static PrivateKey privateKey(String pem) {
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      Object parsed = parser.readObject();
      JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
      if (parsed instanceof PrivateKeyInfo info) {
        return converter.getPrivateKey(info);
      }
      if (parsed instanceof PEMKeyPair pair) {
        return converter.getKeyPair(pair).getPrivate();
      }
    } catch (IOException e) {
      throw new TerminalFailure("MESH_CA_INVALID", "the CA key cannot be read", e);
    }
    throw new TerminalFailure("MESH_CA_INVALID", "the CA key is not a PEM private key");
  }

  private static String pem(String type, byte[] der) {
    String body = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
    return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
  }
}
