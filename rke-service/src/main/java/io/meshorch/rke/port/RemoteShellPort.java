package io.meshorch.rke.port;

import io.meshorch.rke.domain.CommandResult;
import io.meshorch.rke.domain.SshTarget;
import java.time.Duration;

/** Runs commands on nodes over SSH, with the node's host key verified. */
public interface RemoteShellPort {

  /**
   * Runs {@code command} on {@code target}. Read-only commands only: the call may be repeated.
   *
   * @param timeout limit for the command once connected
   * @throws io.meshorch.kit.failure.TransientFailure {@code SSH_UNREACHABLE} when the node does not
   *     answer yet (refused, timeout): it may still be booting
   * @throws io.meshorch.kit.failure.TerminalFailure {@code HOST_KEY_MISMATCH} when the node's host
   *     key is not the expected one, {@code SSH_AUTH_FAILED} when the key is refused
   */
  CommandResult run(SshTarget target, String command, Duration timeout);
}
