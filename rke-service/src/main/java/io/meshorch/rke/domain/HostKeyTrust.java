package io.meshorch.rke.domain;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/** How a node's SSH host key is verified. There is deliberately no "accept any key" variant. */
public sealed interface HostKeyTrust {

  /**
   * Only keys whose fingerprint is listed are accepted.
   *
   * @param fingerprints OpenSSH SHA-256 fingerprints, {@code SHA256:<base64>}, at least one
   */
  record Pinned(List<String> fingerprints) implements HostKeyTrust {
    public Pinned {
      fingerprints = List.copyOf(fingerprints);
      if (fingerprints.isEmpty()) {
        throw new IllegalArgumentException("a pinned host key needs at least one fingerprint");
      }
    }
  }

  /**
   * Keys are checked against an OpenSSH known_hosts file ({@code [host]:port} entries for ports
   * other than 22); a host missing from it is refused.
   *
   * @param file the known_hosts file
   */
  record KnownHosts(Path file) implements HostKeyTrust {
    public KnownHosts {
      Objects.requireNonNull(file, "file");
    }
  }
}
