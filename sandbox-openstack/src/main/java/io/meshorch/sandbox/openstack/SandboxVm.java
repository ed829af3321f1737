package io.meshorch.sandbox.openstack;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.util.List;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.digest.BuiltinDigests;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;

/**
 * The "VM" behind a sandbox server: an SSH daemon on the server's fixed IP with its own host key,
 * accepting only the public key of the server's Nova keypair, answering the few commands a freshly
 * booted cloud image with Docker answers. No command runs on the host.
 */
final class SandboxVm implements AutoCloseable {
  private final SshServer sshd;
  private final String fingerprint;

  private SandboxVm(SshServer sshd, String fingerprint) {
    this.sshd = sshd;
    this.fingerprint = fingerprint;
  }

  static SandboxVm boot(String hostname, String address, int port, PublicKey authorizedKey) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(256);
      KeyPair hostKey = generator.generateKeyPair();
      SshServer sshd = SshServer.setUpDefaultServer();
      sshd.setHost(address);
      sshd.setPort(port);
      sshd.setKeyPairProvider(KeyPairProvider.wrap(hostKey));
      sshd.setPasswordAuthenticator(null);
      sshd.setKeyboardInteractiveAuthenticator(null);
      sshd.setPublickeyAuthenticator(
          (user, key, session) -> KeyUtils.compareKeys(authorizedKey, key));
      sshd.setCommandFactory((channel, command) -> new VmCommand(hostname, command));
      sshd.start();
      return new SandboxVm(
          sshd, KeyUtils.getFingerPrint(BuiltinDigests.sha256, hostKey.getPublic()));
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot boot VM " + hostname + " on " + address + ":" + port, e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot make a host key for " + hostname, e);
    }
  }

  /** {@code SHA256:<base64>} of the host key, as cloud-init prints it. */
  String fingerprint() {
    return fingerprint;
  }

  @Override
  public void close() {
    try {
      sshd.stop(true);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One exec request, answered like an Ubuntu cloud image with Docker would. */
  private static final class VmCommand implements Command {
    private final String hostname;
    private final String command;
    private OutputStream out;
    private OutputStream err;
    private ExitCallback exit;

    VmCommand(String hostname, String command) {
      this.hostname = hostname;
      this.command = command.trim();
    }

    @Override
    public void setInputStream(InputStream in) {}

    @Override
    public void setOutputStream(OutputStream out) {
      this.out = out;
    }

    @Override
    public void setErrorStream(OutputStream err) {
      this.err = err;
    }

    @Override
    public void setExitCallback(ExitCallback callback) {
      this.exit = callback;
    }

    @Override
    public void start(ChannelSession channel, Environment env) throws IOException {
      int status = run();
      out.flush();
      err.flush();
      exit.onExit(status);
    }

    private int run() throws IOException {
      if (command.equals("true")) {
        return 0;
      }
      if (command.startsWith("echo")) {
        return print(command.substring(4).trim().replaceAll("^['\"]|['\"]$", ""));
      }
      if (command.equals("hostname")) {
        return print(hostname);
      }
      if (command.startsWith("cloud-init status")) {
        return print("status: done");
      }
      if (command.startsWith("docker version")) {
        return print(command.contains("--format") ? "24.0.9" : "Client: 24.0.9\nServer: 24.0.9");
      }
      if (command.equals("docker info")) {
        return print("Server Version: 24.0.9\nStorage Driver: overlay2\nCgroup Driver: systemd");
      }
      if (List.of("mountpoint -q /sys/fs/bpf", "test -S /var/run/docker.sock").contains(command)) {
        return 0;
      }
      if (command.equals("uname -r")) {
        return print("5.15.0-91-generic");
      }
      String name = command.split("\\s+")[0];
      err.write(("bash: " + name + ": command not found\n").getBytes(StandardCharsets.UTF_8));
      return 127;
    }

    private int print(String text) throws IOException {
      out.write((text + "\n").getBytes(StandardCharsets.UTF_8));
      return 0;
    }

    @Override
    public void destroy(ChannelSession channel) {}
  }
}
