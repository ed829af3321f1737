package io.meshorch.cni.domain;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The certificate authority every cluster of one mesh shares (Cilium's {@code cilium-ca}):
 * mismatched CAs break the mesh. The private key is a secret: {@link #toString()} never shows it,
 * and the value lives only in the secret store and the clusters' {@code kube-system/cilium-ca}.
 *
 * @param certificatePem the self-signed CA certificate, one PEM {@code CERTIFICATE} block
 * @param privateKeyPem its private key, one PEM {@code PRIVATE KEY} (PKCS#8) block
 */
public record MeshCa(String certificatePem, String privateKeyPem) {
  private static final String CERT_BEGIN = "-----BEGIN CERTIFICATE-----";
  private static final String CERT_END = "-----END CERTIFICATE-----";
  private static final String KEY_BEGIN = "-----BEGIN PRIVATE KEY-----";
  private static final String KEY_END = "-----END PRIVATE KEY-----";

  /**
   * Checks that both parts are single PEM blocks of the right type and normalizes them (LF line
   * endings, one final newline).
   */
  public MeshCa {
    certificatePem = normalize(Objects.requireNonNull(certificatePem, "certificatePem"));
    privateKeyPem = normalize(Objects.requireNonNull(privateKeyPem, "privateKeyPem"));
    if (!isBlock(certificatePem, CERT_BEGIN, CERT_END)) {
      throw new IllegalArgumentException(
          "the mesh CA certificate is not one PEM CERTIFICATE block");
    }
    if (!isBlock(privateKeyPem, KEY_BEGIN, KEY_END)) {
      throw new IllegalArgumentException(
          "the mesh CA key is not one PEM PRIVATE KEY (PKCS#8) block");
    }
  }

  /** Secret-store reference of the CA of {@code meshId}: {@code meshes/<meshId>/cilium-ca}. */
  public static String secretRef(String meshId) {
    return "meshes/" + meshId + "/cilium-ca";
  }

  /** The secret-store value: the certificate block followed by the key block. */
  public byte[] encode() {
    return (certificatePem + privateKeyPem).getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Reads a value written by {@link #encode()}.
   *
   * @throws IllegalArgumentException when the value is not a certificate block plus a key block
   *     (the message never quotes the value)
   */
  public static MeshCa decode(byte[] value) {
    String text = new String(value, StandardCharsets.UTF_8);
    int certEnd = text.indexOf(CERT_END);
    int keyBegin = text.indexOf(KEY_BEGIN);
    if (certEnd < 0 || keyBegin < certEnd) {
      throw new IllegalArgumentException(
          "a stored mesh CA must be a PEM CERTIFICATE block followed by a PEM PRIVATE KEY block");
    }
    return new MeshCa(text.substring(0, certEnd + CERT_END.length()), text.substring(keyBegin));
  }

  /**
   * True when {@code certificatePem} and {@code privateKeyPem} (e.g. read from a cluster's {@code
   * cilium-ca} Secret) are this CA, ignoring line-ending and trailing-whitespace differences.
   */
  public boolean matches(String certificatePem, String privateKeyPem) {
    return certificatePem != null
        && privateKeyPem != null
        && normalize(certificatePem).equals(this.certificatePem)
        && normalize(privateKeyPem).equals(this.privateKeyPem);
  }

  /** The certificate as stored in a cluster ({@code ca.crt}). */
  public byte[] certificateBytes() {
    return certificatePem.getBytes(StandardCharsets.UTF_8);
  }

  /** The key as stored in a cluster ({@code ca.key}). */
  public byte[] privateKeyBytes() {
    return privateKeyPem.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return "MeshCa[certificate, key redacted]";
  }

  private static String normalize(String pem) {
    return pem.replace("\r\n", "\n").strip() + "\n";
  }

  private static boolean isBlock(String pem, String begin, String end) {
    String text = pem.strip();
    return text.startsWith(begin)
        && text.endsWith(end)
        && text.indexOf(begin, 1) < 0
        && text.indexOf(end) == text.length() - end.length();
  }
}
