package io.meshorch.cni.domain;

import java.util.Objects;

/**
 * A certificate issued from the mesh CA with its private key. The key is a secret: {@link
 * #toString()} never shows it.
 *
 * @param certificatePem one PEM {@code CERTIFICATE} block
 * @param privateKeyPem its key, one PEM {@code PRIVATE KEY} (PKCS#8) block
 */
public record IssuedCertificate(String certificatePem, String privateKeyPem) {

  public IssuedCertificate {
    Objects.requireNonNull(certificatePem, "certificatePem");
    Objects.requireNonNull(privateKeyPem, "privateKeyPem");
  }

  @Override
  public String toString() {
    return "IssuedCertificate[certificate, key redacted]";
  }
}
