package io.meshorch.sandbox.core.pki;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
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
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A private certificate authority of the sandbox's own, made in memory: what a cloud behind a
 * company CA, or a component that issues its own serving certificate (MetalLB's cert-controller),
 * has. The sandbox's peers use it to serve TLS that clients trust only when handed the CA, so that
 * the product's trust handling is exercised as against the real thing.
 *
 * <p>Keys are ECDSA P-256 signed with SHA-256: they verify as the RSA keys of some real issuers do
 * and are made in a millisecond. Certificates are valid from an hour before they are made (clocks
 * differ) for the validity given.
 */
public final class CertificateAuthority {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final X500Name name;
  private final KeyPair keys;
  private final X509Certificate certificate;

  private CertificateAuthority(X500Name name, KeyPair keys, X509Certificate certificate) {
    this.name = name;
    this.keys = keys;
    this.certificate = certificate;
  }

  /**
   * A new self-signed CA named {@code subject} (an X.500 name, e.g. {@code CN=cert,O=metallb}),
   * allowed to sign certificates and CRLs.
   */
  public static CertificateAuthority create(String subject, Duration validity) {
    X500Name name = new X500Name(subject);
    KeyPair keys = newKeys();
    Instant now = Instant.now();
    try {
      X509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
                  name, serial(), notBefore(now), notAfter(now, validity), name, keys.getPublic())
              .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
              .addExtension(
                  Extension.keyUsage,
                  true,
                  new KeyUsage(
                      KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature));
      return new CertificateAuthority(name, keys, sign(builder, keys, name));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot make the CA " + subject, e);
    }
  }

  /** What a certificate is for: its extended key usage. */
  public enum Usage {
    /** TLS server authentication. */
    SERVER(KeyPurposeId.id_kp_serverAuth),
    /** TLS client authentication. */
    CLIENT(KeyPurposeId.id_kp_clientAuth);

    private final KeyPurposeId purpose;

    Usage(KeyPurposeId purpose) {
      this.purpose = purpose;
    }
  }

  /**
   * A leaf certificate and its new key pair, issued by this CA for {@code subject} with the given
   * subject alternative names: each entry of {@code names} is an IP address (v4 or v6) or a DNS
   * name.
   */
  public Issued issue(String subject, List<String> names, List<Usage> usages, Duration validity) {
    KeyPair leafKeys = newKeys();
    Instant now = Instant.now();
    try {
      X509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
                  name,
                  serial(),
                  notBefore(now),
                  notAfter(now, validity),
                  new X500Name(subject),
                  leafKeys.getPublic())
              .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
              .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
      if (!usages.isEmpty()) {
        builder.addExtension(
            Extension.extendedKeyUsage,
            false,
            new ExtendedKeyUsage(usages.stream().map(u -> u.purpose).toArray(KeyPurposeId[]::new)));
      }
      if (!names.isEmpty()) {
        List<GeneralName> alternatives = new ArrayList<>();
        for (String n : names) {
          alternatives.add(
              isIpAddress(n)
                  ? new GeneralName(GeneralName.iPAddress, n)
                  : new GeneralName(GeneralName.dNSName, n));
        }
        builder.addExtension(
            Extension.subjectAlternativeName,
            false,
            new GeneralNames(alternatives.toArray(GeneralName[]::new)));
      }
      return new Issued(sign(builder, keys, name), leafKeys);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot issue a certificate for " + subject, e);
    }
  }

  /** A certificate this CA issued, with its key pair. */
  public record Issued(X509Certificate certificate, KeyPair keys) {}

  /** The CA's own certificate. */
  public X509Certificate certificate() {
    return certificate;
  }

  /** The CA's key pair (a component that issues its own certificates keeps it in a Secret). */
  public KeyPair keys() {
    return keys;
  }

  /**
   * PEM text of a certificate ({@code CERTIFICATE}) or a private key ({@code EC PRIVATE KEY}), as
   * {@code openssl} writes them.
   */
  public static String pem(Object certificateOrKey) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(certificateOrKey);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  /** Whether {@code name} is a literal IPv4 or IPv6 address (never looked up). */
  static boolean isIpAddress(String name) {
    if (name.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
      return true;
    }
    return name.contains(":") && name.matches("[0-9a-fA-F:.]+");
  }

  private static X509Certificate sign(
      X509v3CertificateBuilder builder, KeyPair signer, X500Name name) {
    try {
      return new JcaX509CertificateConverter()
          .getCertificate(
              builder.build(
                  new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())));
    } catch (OperatorCreationException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign with the CA " + name, e);
    }
  }

  private static KeyPair newKeys() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(256, RANDOM);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot make an EC P-256 key pair", e);
    }
  }

  private static BigInteger serial() {
    return new BigInteger(64, RANDOM);
  }

  private static Date notBefore(Instant now) {
    return Date.from(now.minus(Duration.ofHours(1)));
  }

  private static Date notAfter(Instant now, Duration validity) {
    return Date.from(now.plus(validity));
  }
}
