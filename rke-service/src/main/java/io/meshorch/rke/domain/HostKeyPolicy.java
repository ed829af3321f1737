package io.meshorch.rke.domain;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Decides how to verify a node's host key: the fingerprints the cloud reported for it (from the
 * server console) win; without them the operator's known_hosts file is used; without either the
 * node cannot be trusted and is refused.
 */
public final class HostKeyPolicy {
  /** {@code SHA256:} followed by the unpadded base64 of a 32-byte digest, as OpenSSH prints it. */
  private static final Pattern SHA256 = Pattern.compile("SHA256:[A-Za-z0-9+/]{43}=?");

  private HostKeyPolicy() {}

  /**
   * The verification for one node.
   *
   * @param node the node's name, for messages
   * @param fingerprints the node's host-key fingerprints from the event, possibly empty
   * @param knownHosts the configured known_hosts file, if any
   * @param knownHostsReadable whether that file can be read
   * @throws UntrustedHostException when neither source can verify the node, or a fingerprint is not
   *     in the {@code SHA256:<base64>} form
   */
  public static HostKeyTrust decide(
      String node,
      List<String> fingerprints,
      Optional<Path> knownHosts,
      boolean knownHostsReadable) {
    if (!fingerprints.isEmpty()) {
      for (String fingerprint : fingerprints) {
        if (fingerprint == null || !SHA256.matcher(fingerprint).matches()) {
          throw new UntrustedHostException(
              "HOST_KEY_INVALID",
              "node "
                  + node
                  + ": sshHostKeyFingerprints entry '"
                  + fingerprint
                  + "' is not an OpenSSH SHA-256 fingerprint (SHA256:<43 base64 chars>)");
        }
      }
      return new HostKeyTrust.Pinned(fingerprints);
    }
    if (knownHosts.isPresent() && knownHostsReadable) {
      return new HostKeyTrust.KnownHosts(knownHosts.get());
    }
    String why =
        knownHosts
            .map(p -> "mesh.ssh.known-hosts file " + p + " is not readable")
            .orElse("mesh.ssh.known-hosts is not set");
    throw new UntrustedHostException(
        "HOST_KEY_UNKNOWN",
        "node "
            + node
            + ": cannot verify its SSH host key: the event carries no sshHostKeyFingerprints and "
            + why);
  }
}
