package io.meshorch.sandbox.openstack;

import io.meshorch.sandbox.core.VmCommands;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.StandardSocketOptions;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.digest.BuiltinDigests;
import org.apache.sshd.common.io.nio2.Nio2Session;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.common.session.helpers.AbstractSession;
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
 *
 * <p>The VM is what its user data made of it ({@link CloudInit}): only its users may log in; Docker
 * exists only when a package installed it; the Docker socket ({@code root:docker}, 0660) answers
 * only users in the {@code docker} group, and anyone else gets the client part and then the daemon
 * socket's {@code permission denied} (exit 1), as a real Ubuntu VM answers.
 */
final class SandboxVm implements AutoCloseable {
  static final String DOCKER_DOWN =
      "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon"
          + " running?";

  /** The Docker version the image's {@code docker.io} package installs. */
  static final String DOCKER_VERSION = "24.0.9";

  /**
   * What the Docker CLI prints when the socket refuses the user, for API path {@code path} ({@code
   * version}, {@code info}, {@code containers/json}).
   */
  static String dockerDenied(String path) {
    return "permission denied while trying to connect to the Docker daemon socket at"
        + " unix:///var/run/docker.sock: Get \"http://%2Fvar%2Frun%2Fdocker.sock/v1.24/"
        + path
        + "\": dial unix /var/run/docker.sock: connect: permission denied";
  }

  private static final String DOCKER_CLIENT =
      String.join(
          "\n",
          "Client:",
          " Version:           " + DOCKER_VERSION,
          " API version:       1.43",
          " Go version:        go1.20.3",
          " Git commit:        " + DOCKER_VERSION + "-0ubuntu1~22.04.1",
          " Built:             Wed Apr 24 21:28:17 2024",
          " OS/Arch:           linux/amd64",
          " Context:           default");

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
   * @param installed commands of software installed on the VM over SSH (asked last)
   */
  static SandboxVm boot(
      String hostname,
      String address,
      int port,
      PublicKey authorizedKey,
      SharedSshIo io,
      CloudInit.Node node,
      Instant cloudInitDone,
      ScheduledExecutorService scheduler,
      VmCommands installed) {
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
          (user, key, session) ->
              node.users.contains(user) && KeyUtils.compareKeys(authorizedKey, key));
      sshd.setCommandFactory(
          (channel, command) ->
              new VmCommand(
                  hostname,
                  address,
                  command,
                  node,
                  channel.getSession().getUsername(),
                  cloudInitDone,
                  scheduler,
                  installed));
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

  /** Whether each open SSH connection sends without Nagle's delay ({@code TCP_NODELAY}). */
  List<Boolean> connectionsWithoutDelay() throws IOException {
    List<Boolean> found = new ArrayList<>();
    for (AbstractSession session : sshd.getActiveSessions()) {
      if (session.getIoSession() instanceof Nio2Session nio) {
        found.add(nio.getSocket().getOption(StandardSocketOptions.TCP_NODELAY));
      }
    }
    return found;
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
    private final String address;
    private final VmCommands installed;
    private final String command;
    private final CloudInit.Node node;
    private final String user;
    private final Instant cloudInitDone;
    private final ScheduledExecutorService scheduler;
    private OutputStream out;
    private OutputStream err;
    private ExitCallback exit;
    private volatile Future<?> waiting;

    VmCommand(
        String hostname,
        String address,
        String command,
        CloudInit.Node node,
        String user,
        Instant cloudInitDone,
        ScheduledExecutorService scheduler,
        VmCommands installed) {
      this.hostname = hostname;
      this.address = address;
      this.installed = installed;
      this.command = command.trim();
      this.node = node;
      this.user = user;
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
      if (command.startsWith("docker ")) {
        return docker();
      }
      if (command.equals("test -S /var/run/docker.sock")) {
        return node.docker && !cloudInitRunning() ? 0 : 1;
      }
      if (command.equals("mountpoint -q /sys/fs/bpf")) {
        return node.bpfMounted ? 0 : 1;
      }
      if (command.equals("findmnt -n -o PROPAGATION /sys/fs/bpf")) {
        if (!node.bpfMounted) {
          return 1;
        }
        return print(node.bpfShared ? "shared" : "private");
      }
      if (command.equals("cat /etc/fstab")) {
        return print(
            String.join(
                    "\n", List.of("LABEL=cloudimg-rootfs\t/\text4\tdiscard,errors=remount-ro\t0 1"))
                + (node.fstab.isEmpty() ? "" : "\n" + String.join("\n", node.fstab)));
      }
      if (command.equals("id -nG") || command.equals("id -nG " + user)) {
        return print(String.join(" ", node.groupsOf(user)));
      }
      if (command.startsWith("id -nG ")) {
        String other = command.substring("id -nG ".length()).strip();
        if (!node.users.contains(other)) {
          return fail("id: '" + other + "': no such user");
        }
        return print(String.join(" ", node.groupsOf(other)));
      }
      if (command.equals("cat /var/log/cloud-init-output.log")) {
        return print(String.join("\n", node.log));
      }
      if (command.equals("uname -r")) {
        return print("5.15.0-91-generic");
      }
      java.util.Optional<VmCommands.Answer> answer =
          installed.answer(
              new VmCommands.Login(hostname, address, user, !cloudInitRunning()), command);
      if (answer.isPresent()) {
        out.write(answer.get().stdout().getBytes(StandardCharsets.UTF_8));
        err.write(answer.get().stderr().getBytes(StandardCharsets.UTF_8));
        return answer.get().exitStatus();
      }
      String name = command.split("\\s+")[0];
      err.write(("bash: " + name + ": command not found\n").getBytes(StandardCharsets.UTF_8));
      return 127;
    }

    /**
     * {@code docker version [--format …]}, {@code docker info}, {@code docker ps}: the daemon
     * answers once cloud-init finished, and only to root and the {@code docker} group.
     */
    private int docker() throws IOException {
      if (!node.docker) {
        err.write("bash: line 1: docker: command not found\n".getBytes(StandardCharsets.UTF_8));
        return 127;
      }
      boolean format = command.contains("--format");
      String path =
          command.startsWith("docker version")
              ? "version"
              : command.equals("docker info") ? "info" : "containers/json";
      if (!command.startsWith("docker version")
          && !command.equals("docker info")
          && !command.equals("docker ps")) {
        return fail("docker: '" + command.substring(7) + "' is not a sandbox docker command.");
      }
      if (path.equals("info")) {
        print(
            "Client:\n Version:    "
                + DOCKER_VERSION
                + "\n Context:    default\n Debug Mode: false\n\nServer:");
      } else if (path.equals("version") && !format) {
        print(DOCKER_CLIENT);
      }
      String prefix = path.equals("info") ? "ERROR: " : "";
      String suffix = path.equals("info") ? "\nerrors pretty printing info" : "";
      if (cloudInitRunning()) {
        return fail(prefix + DOCKER_DOWN + suffix);
      }
      if (!node.dockerAccess(user)) {
        return fail(prefix + dockerDenied(path) + suffix);
      }
      return switch (path) {
        case "version" ->
            print(
                format
                    ? DOCKER_VERSION
                    : "\nServer:\n Engine:\n  Version:          " + DOCKER_VERSION);
        case "info" ->
            print(
                " Server Version: "
                    + DOCKER_VERSION
                    + "\n Storage Driver: overlay2\n Cgroup Driver: systemd");
        default -> print("CONTAINER ID   IMAGE     COMMAND   CREATED   STATUS    PORTS     NAMES");
      };
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
