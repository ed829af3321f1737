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
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
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
 *
 * <p>cloud-init runs until {@code cloudInitDone}: before, {@code cloud-init status} says {@code
 * status: running} and the Docker daemon does not answer; {@code cloud-init status --wait} blocks
 * (without holding a thread) until then, like the real one.
 */
final class SandboxVm implements AutoCloseable {
  static final String DOCKER_DOWN =
      "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon"
          + " running?";

  private final SshServer sshd;
  private final String fingerprint;

  private SandboxVm(SshServer sshd, String fingerprint) {
    this.sshd = sshd;
    this.fingerprint = fingerprint;
  }

  /**
   * Starts the VM's SSH daemon.
   *
   * @param io the I/O threads all VMs share
   * @param cloudInitDone when cloud-init finishes (Docker up)
   * @param scheduler finishes {@code cloud-init status --wait} at {@code cloudInitDone}
   */
  static SandboxVm boot(
      String hostname,
      String address,
      int port,
      PublicKey authorizedKey,
      SharedSshIo io,
      Instant cloudInitDone,
      ScheduledExecutorService scheduler) {
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
      sshd.setCommandFactory(
          (channel, command) -> new VmCommand(hostname, command, cloudInitDone, scheduler));
      io.configure(sshd);
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
    private final Instant cloudInitDone;
    private final ScheduledExecutorService scheduler;
    private OutputStream out;
    private OutputStream err;
    private ExitCallback exit;
    private volatile Future<?> waiting;

    VmCommand(
        String hostname,
        String command,
        Instant cloudInitDone,
        ScheduledExecutorService scheduler) {
      this.hostname = hostname;
      this.command = command.trim();
      this.cloudInitDone = cloudInitDone;
      this.scheduler = scheduler;
    }

    private boolean cloudInitRunning() {
      return Instant.now().isBefore(cloudInitDone);
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
      if (command.startsWith("cloud-init status") && command.contains("--wait")) {
        Duration left = Duration.between(Instant.now(), cloudInitDone);
        if (!left.isNegative() && !left.isZero()) {
          // Like cloud-init: block until done. A scheduled answer instead of a blocked thread.
          waiting = scheduler.schedule(this::finishWait, left.toMillis(), TimeUnit.MILLISECONDS);
          return;
        }
      }
      int status = run();
      out.flush();
      err.flush();
      exit.onExit(status);
    }

    private void finishWait() {
      try {
        out.write("\nstatus: done\n".getBytes(StandardCharsets.UTF_8));
        out.flush();
        exit.onExit(0);
      } catch (IOException e) {
        // The client gave up waiting and closed the channel: nothing to answer.
        exit.onExit(1, e.getMessage());
      }
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
        return print(cloudInitRunning() ? "status: running" : "status: done");
      }
      if (command.startsWith("docker version")) {
        if (cloudInitRunning()) {
          if (!command.contains("--format")) {
            print("Client: Docker Engine - Community\n Version:           24.0.9");
          }
          return fail(DOCKER_DOWN);
        }
        return print(command.contains("--format") ? "24.0.9" : "Client: 24.0.9\nServer: 24.0.9");
      }
      if (command.equals("docker info")) {
        if (cloudInitRunning()) {
          return fail("ERROR: " + DOCKER_DOWN);
        }
        return print("Server Version: 24.0.9\nStorage Driver: overlay2\nCgroup Driver: systemd");
      }
      if (command.equals("test -S /var/run/docker.sock")) {
        return cloudInitRunning() ? 1 : 0;
      }
      if (List.of("mountpoint -q /sys/fs/bpf").contains(command)) {
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

    private int fail(String text) throws IOException {
      err.write((text + "\n").getBytes(StandardCharsets.UTF_8));
      return 1;
    }

    @Override
    public void destroy(ChannelSession channel) {
      Future<?> w = waiting;
      if (w != null) {
        w.cancel(false);
      }
    }
  }
}
