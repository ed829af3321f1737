package io.meshorch.cni.adapter.pki;

import io.meshorch.cni.domain.MeshCa;
import io.meshorch.kit.failure.TerminalFailure;
import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Generates a mesh's self-signed CA with BouncyCastle on the JDK's providers: EC P-256 key, subject
 * {@code CN=Cilium CA <meshId>}, {@code basicConstraints CA:true} and {@code keyUsage keyCertSign,
 * cRLSign} (both critical), valid from five minutes ago (clock skew) for the configured validity.
 * Output: PEM certificate and PEM PKCS#8 key.
 */
public final class BouncyCastleCaGenerator {
  private static final Duration BACKDATE = Duration.ofMinutes(5);

  private final Duration validity;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();

  /**
   * @param validity how long the CA is valid (three years by default)
   * @param clock the time source of the validity window
   */
  public BouncyCastleCaGenerator(Duration validity, Clock clock) {
    this.validity = validity;
    this.clock = clock;
  }

  /**
   * A new CA for {@code meshId}.
   *
   * @throws TerminalFailure {@code MESH_CA_GENERATION_FAILED} when the JDK lacks EC P-256 or
   *     SHA256withECDSA
   */
  public MeshCa generate(String meshId) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"), random);
      KeyPair keys = generator.generateKeyPair();
      X500Name subject =
          new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, "Cilium CA " + meshId).build();
      Instant now = clock.instant();
      X509v3CertificateBuilder certificate =
          new JcaX509v3CertificateBuilder(
              subject,
              new BigInteger(127, random).setBit(127),
              Date.from(now.minus(BACKDATE)),
              Date.from(now.plus(validity)),
              subject,
              keys.getPublic());
      JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
      certificate
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
          .addExtension(
              Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
          .addExtension(
              Extension.subjectKeyIdentifier,
              false,
              extensions.createSubjectKeyIdentifier(keys.getPublic()));
      byte[] der =
          certificate
              .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()))
              .getEncoded();
      return new MeshCa(
          pem("CERTIFICATE", der), pem("PRIVATE KEY", keys.getPrivate().getEncoded()));
    } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
      throw new TerminalFailure(
          "MESH_CA_GENERATION_FAILED",
          "cannot generate the CA of mesh " + meshId + ": " + e.getClass().getSimpleName(),
          e);
    }
  }

  private static String pem(String type, byte[] der) {
    String body = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
    return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
  }
}
