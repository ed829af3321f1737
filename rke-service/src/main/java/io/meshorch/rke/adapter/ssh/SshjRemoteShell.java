package io.meshorch.rke.adapter.ssh;

import io.meshorch.kit.failure.TerminalFailure;
import io.meshorch.kit.failure.TransientFailure;
import io.meshorch.rke.domain.CommandResult;
import io.meshorch.rke.domain.SshTarget;
import io.meshorch.rke.port.RemoteShellPort;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import net.schmizz.sshj.DefaultConfig;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.common.IOUtils;
import net.schmizz.sshj.connection.channel.direct.Session;
import net.schmizz.sshj.transport.TransportException;
import net.schmizz.sshj.userauth.UserAuthException;
import net.schmizz.sshj.userauth.keyprovider.KeyProvider;

/**
 * SSH with sshj: one connection per command (nodes are few and commands rare), host key pinned to
 * the expected fingerprints or checked against known_hosts, public-key authentication with the
 * configured private key. The key is read from its file on each connection and never logged.
 */
public final class SshjRemoteShell implements RemoteShellPort {
  private final String privateKeyPath;
  private final Duration connectTimeout;

  public SshjRemoteShell(String privateKeyPath, Duration connectTimeout) {
    this.privateKeyPath = privateKeyPath;
    this.connectTimeout = connectTimeout;
  }

  @Override
  public CommandResult run(SshTarget target, String command, Duration timeout) {
    if (!target.hostKeys().verifiable()) {
      throw new TerminalFailure(
          "HOST_KEY_UNKNOWN",
          "no way to verify the host key of "
              + target.node()
              + ": no fingerprint from the server console and no known_hosts file (mesh.ssh.known-hosts)");
    }
    try (SSHClient ssh = new SSHClient(new DefaultConfig())) {
      ssh.setConnectTimeout((int) connectTimeout.toMillis());
      ssh.setTimeout((int) timeout.toMillis());
      if (target.hostKeys().pinnedFingerprints().isEmpty()) {
        ssh.loadKnownHosts(new File(target.hostKeys().knownHostsFile()));
      } else {
        target.hostKeys().pinnedFingerprints().forEach(ssh::addHostKeyVerifier);
      }
      connect(ssh, target);
      KeyProvider key = ssh.loadKeys(privateKeyPath);
      ssh.authPublickey(target.user(), key);
      try (Session session = ssh.startSession()) {
        Session.Command cmd = session.exec(command);
        String out = IOUtils.readFully(cmd.getInputStream()).toString(StandardCharsets.UTF_8);
        cmd.join(timeout.toMillis(), TimeUnit.MILLISECONDS);
        Integer status = cmd.getExitStatus();
        return new CommandResult(status == null ? -1 : status, out.trim());
      }
    } catch (UserAuthException e) {
      throw new TerminalFailure(
          "SSH_AUTH_FAILED",
          target.user() + "@" + target.node() + " refused the configured key",
          e);
    } catch (IOException e) {
      throw new TransientFailure(
          "SSH_UNREACHABLE",
          "cannot run a command on "
              + target.node()
              + " ("
              + target.address()
              + "): "
              + e.getMessage(),
          e);
    }
  }

  private static void connect(SSHClient ssh, SshTarget target) throws IOException {
    try {
      ssh.connect(target.address(), target.port());
    } catch (TransportException e) {
      if (e.getDisconnectReason()
          == net.schmizz.sshj.common.DisconnectReason.HOST_KEY_NOT_VERIFIABLE) {
        throw new TerminalFailure(
            "HOST_KEY_MISMATCH",
            "the SSH host key of "
                + target.node()
                + " ("
                + target.address()
                + ") is not the expected one: refusing to connect",
            e);
      }
      throw e;
    }
  }
}
