package io.meshorch.rke.port;

import io.meshorch.rke.domain.CommandResult;
import io.meshorch.rke.domain.SshTarget;
import java.time.Duration;

/** Runs commands on the cluster's nodes over SSH, with the node's host key verified. */
public interface RemoteShellPort {

  /**
   * Runs {@code command} on {@code target} over its own SSH connection and returns its exit status
   * and output. Read-only commands are safe to repeat; nothing is cached between calls.
   *
   * @param timeout the longest the command may run (also the socket read timeout)
   * @throws io.meshorch.kit.failure.TransientFailure {@code SSH_UNREACHABLE} (refused, timed out,
   *     reset: the node may still be booting), {@code SSH_AUTH_FAILED} (the key may not be
   *     installed yet), {@code SSH_COMMAND_TIMEOUT}
   * @throws io.meshorch.kit.failure.TerminalFailure {@code HOST_KEY_MISMATCH} (the node's key is
   *     not the pinned or known one), {@code HOST_KEY_UNKNOWN} (the host is not in known_hosts),
   *     {@code SSH_KEY_UNREADABLE} (the configured private key cannot be loaded)
   */
  CommandResult run(SshTarget target, String command, Duration timeout);

  /** Runs commands on one node, one after another; see {@link #onNode}. */
  interface Connection {
    /** Runs {@code command} and returns its exit status and output; fails as {@link #run} does. */
    CommandResult run(String command);
  }

  /** What a caller does over one connection. */
  interface NodeWork<T> {
    T apply(Connection node);
  }

  /**
   * Runs {@code work} over one SSH connection to {@code target}: its commands share one handshake
   * (key exchange, host key check, authentication) instead of one each. Fails as {@link #run} does,
   * for the connection and for each command; what {@code work} throws itself passes through.
   *
   * <p>This default opens a connection per command.
   *
   * @param timeout the longest each command may run (also the socket read timeout)
   */
  default <T> T onNode(SshTarget target, Duration timeout, NodeWork<T> work) {
    return work.apply(command -> run(target, command, timeout));
  }
}
