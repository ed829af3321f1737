package io.meshorch.mesh.domain;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The Cilium CA a cluster holds (Secret {@code kube-system/cilium-ca}, its {@code ca.crt}), known
 * only by the SHA-256 fingerprint of the certificate (DER), as {@code openssl x509 -noout
 * -fingerprint -sha256} prints it. Public: the fingerprint says nothing about the key, and it is
 * all mesh-service keeps, logs or publishes of a CA.
 *
 * @param sha256 the fingerprint, 64 lowercase hex digits
 */
public record CiliumCa(String sha256) {
  private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");

  /** How many bytes of the fingerprint the short form shows. */
  static final int SHORT_BYTES = 8;

  public CiliumCa {
    Objects.requireNonNull(sha256, "sha256");
    if (!HEX64.matcher(sha256).matches()) {
      throw new IllegalArgumentException("a SHA-256 fingerprint is 64 lowercase hex digits");
    }
  }

  /** The CA whose certificate is {@code der} (the DER encoding, not PEM). */
  public static CiliumCa ofCertificate(byte[] der) {
    try {
      return new CiliumCa(
          HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(der)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  /**
   * The first bytes of the fingerprint in openssl's form, e.g. {@code 3F:9A:1C:0D:5E:6B:7A:88}: a
   * prefix of what {@code openssl x509 -noout -fingerprint -sha256} prints for the certificate.
   */
  public String shortForm() {
    return HexFormat.ofDelimiter(":")
        .withUpperCase()
        .formatHex(HexFormat.of().parseHex(sha256), 0, SHORT_BYTES);
  }
}
