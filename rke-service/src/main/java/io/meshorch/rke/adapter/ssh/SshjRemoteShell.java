package io.meshorch.rke.adapter.ssh;

import io.meshorch.kit.failure.TerminalFailure;
import io.meshorch.kit.failure.TransientFailure;
import io.meshorch.rke.domain.CommandResult;
import io.meshorch.rke.domain.HostKeyTrust;
import io.meshorch.rke.domain.SshTarget;
import io.meshorch.rke.port.RemoteShellPort;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import net.schmizz.sshj.DefaultConfig;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.common.DisconnectReason;
import net.schmizz.sshj.common.IOUtils;
import net.schmizz.sshj.connection.ConnectionException;
import net.schmizz.sshj.connection.channel.direct.Session;
import net.schmizz.sshj.transport.TransportException;
import net.schmizz.sshj.userauth.UserAuthException;
import net.schmizz.sshj.userauth.keyprovider.KeyProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link RemoteShellPort} over sshj: one connection per call (the commands of {@link #onNode} share
 * it), public-key authentication with the configured private key file (OpenSSH, PKCS#8 or PEM;
 * never logged), host key verified against the pinned fingerprints or the known_hosts file, never
 * accepted blindly. Its sockets send without Nagle's delay, as OpenSSH's client's do ({@link
 * NoDelaySockets}).
 */
public final class SshjRemoteShell implements RemoteShellPort {
  private static final Logger log = LoggerFactory.getLogger(SshjRemoteShell.class);

  private final Path privateKey;
  private final Duration connectTimeout;

  /**
   * @param privateKey the private key file (unencrypted); read on every connection so a rotated key
   *     is picked up
   * @param connectTimeout the TCP connect and SSH handshake timeout
   */
  public SshjRemoteShell(Path privateKey, Duration connectTimeout) {
    this.privateKey = privateKey.toAbsolutePath().normalize();
    this.connectTimeout = connectTimeout;
  }

  @Override
  public CommandResult run(SshTarget target, String command, Duration timeout) {
    return onNode(target, timeout, node -> node.run(command));
  }

  @Override
  public <T> T onNode(SshTarget target, Duration timeout, NodeWork<T> work) {
    String where = "node " + target.node() + " (" + target.host() + ":" + target.port() + ")";
    RecordingKnownHosts knownHosts = null;
    try (SSHClient ssh = new SSHClient(new DefaultConfig())) {
      try {
        knownHosts = trust(ssh, target.trust(), where);
        ssh.setSocketFactory(NoDelaySockets.INSTANCE);
        ssh.setConnectTimeout(millis(connectTimeout));
        ssh.setTimeout(millis(timeout));
        ssh.connect(target.host(), target.port());
        ssh.authPublickey(target.user(), keys(ssh));
      } catch (IOException e) {
        throw failure(e, where, target, knownHosts, null, timeout);
      }
      RecordingKnownHosts verified = knownHosts;
      return work.apply(command -> exec(ssh, command, timeout, where, target, verified));
    } catch (IOException e) {
      // closing the connection; every command has answered by then
      throw unreachable(where, e);
    }
  }

  private static CommandResult exec(
      SSHClient ssh,
      String command,
      Duration timeout,
      String where,
      SshTarget target,
      RecordingKnownHosts knownHosts) {
    try (Session session = ssh.startSession()) {
      Session.Command cmd = session.exec(command);
      String out = IOUtils.readFully(cmd.getInputStream()).toString(StandardCharsets.UTF_8);
      String err = IOUtils.readFully(cmd.getErrorStream()).toString(StandardCharsets.UTF_8);
      cmd.join(timeout.toMillis(), TimeUnit.MILLISECONDS);
      Integer status = cmd.getExitStatus();
      log.debug("{}: '{}' exited {}", where, shown(command), status);
      return new CommandResult(status == null ? -1 : status, out, err);
    } catch (IOException e) {
      throw failure(e, where, target, knownHosts, command, timeout);
    }
  }

  /** The step failure for {@code e}, met connecting ({@code command} null) or running a command. */
  private static RuntimeException failure(
      IOException e,
      String where,
      SshTarget target,
      RecordingKnownHosts knownHosts,
      String command,
      Duration timeout) {
    if (e instanceof TransportException t
        && t.getDisconnectReason() == DisconnectReason.HOST_KEY_NOT_VERIFIABLE) {
      return hostKeyRefused(where, target.trust(), knownHosts, t);
    }
    if (e instanceof UserAuthException) {
      return new TransientFailure(
          "SSH_AUTH_FAILED",
          where + ": user " + target.user() + " was not accepted with the configured key",
          e);
    }
    if (command != null
        && e instanceof ConnectionException
        && e.getCause() instanceof java.util.concurrent.TimeoutException) {
      return new TransientFailure(
          "SSH_COMMAND_TIMEOUT",
          where + ": '" + shown(command) + "' did not finish in " + timeout,
          e);
    }
    return unreachable(where, e);
  }

  /**
   * {@code command} for logs and messages: long base64 runs (file contents sent inline, such as
   * RKE2's config.yaml with its join token) are blanked.
   */
  static String shown(String command) {
    return command.replaceAll("[A-Za-z0-9+/=]{40,}", "<redacted>");
  }

  private static RecordingKnownHosts trust(SSHClient ssh, HostKeyTrust trust, String where) {
    if (trust instanceof HostKeyTrust.Pinned pinned) {
      pinned.fingerprints().forEach(ssh::addHostKeyVerifier);
      return null;
    }
    Path file = ((HostKeyTrust.KnownHosts) trust).file();
    try {
      RecordingKnownHosts verifier = new RecordingKnownHosts(file);
      ssh.addHostKeyVerifier(verifier);
      return verifier;
    } catch (IOException e) {
      throw new TerminalFailure(
          "HOST_KEY_UNKNOWN",
          where + ": cannot read known_hosts file " + file + ": " + e.getMessage(),
          e);
    }
  }

  private KeyProvider keys(SSHClient ssh) {
    if (!Files.isReadable(privateKey)) {
      throw new TerminalFailure(
          "SSH_KEY_UNREADABLE", "mesh.ssh.private-key-path " + privateKey + " is not readable");
    }
    try {
      KeyProvider keys = ssh.loadKeys(privateKey.toString());
      keys.getPublic();
      return keys;
    } catch (IOException | RuntimeException e) {
      // Never include the parser's message: it might quote the key file.
      throw new TerminalFailure(
          "SSH_KEY_UNREADABLE",
          "mesh.ssh.private-key-path "
              + privateKey
              + " is not an unencrypted OpenSSH, PKCS#8 or PEM private key ("
              + e.getClass().getSimpleName()
              + ")");
    }
  }

  private static TerminalFailure hostKeyRefused(
      String where, HostKeyTrust trust, RecordingKnownHosts knownHosts, TransportException e) {
    if (knownHosts != null && knownHosts.unknownHost()) {
      return new TerminalFailure(
          "HOST_KEY_UNKNOWN",
          where + ": host is not in known_hosts file " + knownHosts.getFile(),
          e);
    }
    String expected =
        trust instanceof HostKeyTrust.Pinned pinned
            ? "the pinned fingerprints " + pinned.fingerprints()
            : "its entry in known_hosts";
    return new TerminalFailure(
        "HOST_KEY_MISMATCH",
        where + ": host key does not match " + expected + " (" + e.getMessage() + ")",
        e);
  }

  private static TransientFailure unreachable(String where, Exception e) {
    return new TransientFailure(
        "SSH_UNREACHABLE", where + ": " + e.getClass().getSimpleName() + ": " + e.getMessage(), e);
  }

  private static int millis(Duration d) {
    return (int) Math.min(Integer.MAX_VALUE, d.toMillis());
  }
}
