package io.meshorch.rke.domain;

import java.util.Objects;

/**
 * One node to open SSH sessions to. The private key is configured in the shell adapter, never
 * carried here.
 *
 * @param node the node's name, for messages
 * @param host address to connect to
 * @param port SSH port
 * @param user login user
 * @param trust how the node's host key is verified
 */
public record SshTarget(String node, String host, int port, String user, HostKeyTrust trust) {
  public SshTarget {
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(trust, "trust");
  }
}
