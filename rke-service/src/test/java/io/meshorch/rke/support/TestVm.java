package io.meshorch.rke.support;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.meshorch.sandbox.core.VmCommands;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.digest.BuiltinDigests;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;
import org.apache.sshd.core.CoreModuleProperties;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;

/**
 * A node for tests: an Apache MINA SSH daemon with a fresh host key, accepting one user key,
 * answering like a cloud image with Docker (no host command runs): until its boot is over, {@code
 * cloud-init status} says {@code status: running} and {@code docker version} fails with "Cannot
 * connect to the Docker daemon" (exit 1), like the sandbox's VMs; then {@code status: done} and the
 * Docker version. Counts commands.
 */
public final class TestVm implements AutoCloseable {
  private final SshServer sshd;
  private final KeyPair hostKey;
  private final AtomicInteger commands = new AtomicInteger();
  private final AtomicInteger connections = new AtomicInteger();
  private final Instant bootedAt;
  private final String address;
  private final VmCommands installed;

  private TestVm(
      SshServer sshd, KeyPair hostKey, Instant bootedAt, String address, VmCommands installed) {
    this.sshd = sshd;
    this.hostKey = hostKey;
    this.bootedAt = bootedAt;
    this.address = address;
    this.installed = installed;
  }

  /** A key pair generated now; never a committed key. */
  public static KeyPair newKey() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(256);
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Writes {@code key} as an OpenSSH private key file (0600). */
  public static Path writePrivateKey(KeyPair key, Path file) throws IOException {
    try (OutputStream out = Files.newOutputStream(file)) {
      OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(key, "test", null, out);
    } catch (GeneralSecurityException e) {
      throw new IOException(e);
    }
    Files.setPosixFilePermissions(
        file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    return file;
  }

  /** Starts a daemon with a fresh host key on {@code address:port} (0 = any free port). */
  public static TestVm start(String address, int port, PublicKey userKey) {
    return start(address, port, userKey, newKey());
  }

  /** Starts a daemon with the given host key, e.g. one whose fingerprint a test pinned earlier. */
  public static TestVm start(String address, int port, PublicKey userKey, KeyPair hostKey) {
    return start(address, port, userKey, hostKey, Duration.ZERO);
  }

  /**
   * Starts a daemon whose cloud-init runs for {@code boot} from now: until then the node answers
   * like one still booting.
   */
  public static TestVm start(
      String address, int port, PublicKey userKey, KeyPair hostKey, Duration boot) {
    return start(address, port, userKey, hostKey, boot, (login, command) -> Optional.empty());
  }

  /**
   * Starts a daemon that also answers the commands of software installed on it the sandbox's way
   * ({@code installed}, e.g. {@code SandboxKube.rke2()}), as the sandbox cloud's VMs do.
   */
  public static TestVm start(
      String address,
      int port,
      PublicKey userKey,
      KeyPair hostKey,
      Duration boot,
      VmCommands installed) {
    SshServer sshd = SshServer.setUpDefaultServer();
    CoreModuleProperties.TCP_NODELAY.set(sshd, true); // as OpenSSH's sshd
    sshd.setHost(address);
    sshd.setPort(port);
    sshd.setKeyPairProvider(KeyPairProvider.wrap(hostKey));
    sshd.setPasswordAuthenticator(null);
    sshd.setKeyboardInteractiveAuthenticator(null);
    sshd.setPublickeyAuthenticator((user, key, session) -> KeyUtils.compareKeys(userKey, key));
    TestVm vm = new TestVm(sshd, hostKey, Instant.now().plus(boot), address, installed);
    sshd.setCommandFactory((channel, command) -> vm.new Answer(command));
    sshd.addSessionListener(
        new SessionListener() {
          @Override
          public void sessionCreated(Session session) {
            vm.connections.incrementAndGet();
          }
        });
    try {
      sshd.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return vm;
  }

  public int port() {
    return sshd.getPort();
  }

  /** {@code SHA256:…} of the host key, as cloud-init prints it. */
  public String fingerprint() {
    return fingerprint(hostKey.getPublic());
  }

  /** {@code SHA256:…} of {@code key}. */
  public static String fingerprint(PublicKey key) {
    return KeyUtils.getFingerPrint(BuiltinDigests.sha256, key);
  }

  /** The daemon's host public key. */
  public java.security.PublicKey hostKey() {
    return hostKey.getPublic();
  }

  /** A known_hosts line for this daemon. */
  public String knownHostsLine(String address) {
    return "[" + address + "]:" + port() + " " + PublicKeyEntry.toString(hostKey.getPublic());
  }

  public int commands() {
    return commands.get();
  }

  /** SSH connections accepted so far. */
  public int connections() {
    return connections.get();
  }

  @Override
  public void close() {
    try {
      sshd.stop(true);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private final class Answer implements Command {
    private final String command;
    private OutputStream out;
    private OutputStream err;
    private ExitCallback exit;

    Answer(String command) {
      this.command = command;
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
      commands.incrementAndGet();
      int status = 0;
      boolean booting = Instant.now().isBefore(bootedAt);
      if (command.startsWith("cloud-init status")) {
        out.write((booting ? "status: running\n" : "status: done\n").getBytes(UTF_8));
      } else if (command.startsWith("docker version") && booting) {
        err.write(
            ("Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker"
                    + " daemon running?\n")
                .getBytes(UTF_8));
        status = 1;
      } else if (command.startsWith("docker version")) {
        out.write("24.0.9\n".getBytes(UTF_8));
      } else {
        Optional<VmCommands.Answer> answer =
            installed.answer(
                new VmCommands.Login(
                    "vm-" + address, address, channel.getSession().getUsername(), !booting),
                command);
        status = answer.map(VmCommands.Answer::exitStatus).orElse(127);
        if (answer.isPresent()) {
          out.write(answer.get().stdout().getBytes(UTF_8));
          err.write(answer.get().stderr().getBytes(UTF_8));
        }
      }
      out.flush();
      err.flush();
      exit.onExit(status);
    }

    @Override
    public void destroy(ChannelSession channel) {}
  }
}
