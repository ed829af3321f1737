package io.meshorch.sandbox.kube.rke;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshorch.sandbox.kube.ClusterYml;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import net.schmizz.sshj.SSHClient;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stand-in logs into the nodes like RKE and fails like RKE: against an SSH daemon whose {@code
 * docker info} answers only the users of its docker group, as a real node does.
 */
class RkeNodeLoginTest {
  private static final Set<String> DOCKER_GROUP = Set.of("ubuntu");

  @TempDir Path dir;
  private SshServer sshd;
  private KeyPair key;

  /** When set, {@code docker info} answers only once this many have asked (3 s at most). */
  private volatile CountDownLatch together;

  @BeforeEach
  void start() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(256);
    key = generator.generateKeyPair();
    try (OutputStream out = Files.newOutputStream(dir.resolve("id_ecdsa"))) {
      OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(key, "rke", null, out);
    }
    sshd = SshServer.setUpDefaultServer();
    sshd.setHost("0.0.0.0");
    sshd.setPort(0);
    sshd.setKeyPairProvider(KeyPairProvider.wrap(generator.generateKeyPair()));
    sshd.setPublickeyAuthenticator((user, k, s) -> KeyUtils.compareKeys(key.getPublic(), k));
    sshd.setCommandFactory(
        (channel, command) ->
            new DockerInfo(channel.getSession().getUsername(), command, together));
    sshd.start();
  }

  @AfterEach
  void stop() throws IOException {
    sshd.stop(true);
  }

  private ClusterYml clusterYml(String firstUser, String secondUser, String keyFile) {
    String yml =
        """
        cluster_name: east
        ssh_key_path: %s
        nodes:
        - {address: 127.0.0.1, port: "%d", user: %s, role: [controlplane, etcd, worker]}
        - {address: 127.0.0.2, port: "%d", user: %s, role: [worker]}
        network: {plugin: none}
        """
            .formatted(keyFile, sshd.getPort(), firstUser, sshd.getPort(), secondUser);
    return ClusterYml.parse(yml, dir);
  }

  @Test
  void keepsEveryNodeWhoseUserReachesDocker() {
    RkeNodeLogin.Result result =
        RkeNodeLogin.check(
            clusterYml("ubuntu", "ubuntu", "id_ecdsa"), a -> true, Duration.ofSeconds(5));

    assertThat(result.fatal()).isNull();
    assertThat(result.log()).isEmpty();
    assertThat(result.usable().nodes()).hasSize(2);
  }

  @Test
  void dropsAWorkerWhoseUserIsNotInTheDockerGroupWithRkesWarnings() {
    RkeNodeLogin.Result result =
        RkeNodeLogin.check(
            clusterYml("ubuntu", "rke", "id_ecdsa"), a -> true, Duration.ofSeconds(5));

    assertThat(result.fatal()).isNull();
    assertThat(result.usable().nodes())
        .extracting(ClusterYml.Node::address)
        .containsExactly("127.0.0.1");
    assertThat(result.log())
        .containsExactly(
            "WARN[0000] Failed to set up SSH tunneling for host [127.0.0.2]: Can't retrieve Docker"
                + " Info: error during connect: Get"
                + " \"http://%2Fvar%2Frun%2Fdocker.sock/v1.24/info\": "
                + RkeNodeLogin.SOCKET_DENIED,
            "WARN[0000] Removing host [127.0.0.2] from node lists");
  }

  @Test
  void failsLikeRkeWhenTheEtcdHostCannotUseDocker() {
    RkeNodeLogin.Result result =
        RkeNodeLogin.check(
            clusterYml("rke", "ubuntu", "id_ecdsa"), a -> true, Duration.ofSeconds(5));

    assertThat(result.fatal())
        .isEqualTo(
            "Cluster must have at least one etcd plane host: failed to connect to the following"
                + " etcd host(s) [127.0.0.1]");
    assertThat(result.report())
        .contains("Unable to access the Docker socket (/var/run/docker.sock)")
        .endsWith(
            "FATA[0000] Cluster must have at least one etcd plane host: failed to connect to the"
                + " following etcd host(s) [127.0.0.1]");
  }

  @Test
  void failsLikeRkeWhenTheKeyOfClusterYmlIsNotAccepted() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(256);
    try (OutputStream out = Files.newOutputStream(dir.resolve("other"))) {
      OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(
          generator.generateKeyPair(), "other", null, out);
    }

    RkeNodeLogin.Result result =
        RkeNodeLogin.check(
            clusterYml("ubuntu", "ubuntu", "other"), a -> true, Duration.ofSeconds(5));

    assertThat(result.log().get(0))
        .contains("ssh: unable to authenticate, attempted methods [none publickey]");
    assertThat(result.fatal()).startsWith("Cluster must have at least one etcd plane host");
  }

  @Test
  void logsIntoTheNodesAtTheSameTimeAsRke() {
    // Each node's docker info answers only once the other's was asked too: logins one after
    // the other would each wait in vain and drop both hosts.
    together = new CountDownLatch(2);

    RkeNodeLogin.Result result =
        RkeNodeLogin.check(
            clusterYml("ubuntu", "ubuntu", "id_ecdsa"), a -> true, Duration.ofSeconds(5));

    assertThat(result.log()).isEmpty();
    assertThat(result.usable().nodes()).hasSize(2);
  }

  @Test
  void connectsWithoutNaglesDelayAsRkesGoClientDoes() throws Exception {
    try (SSHClient ssh = RkeNodeLogin.client(Duration.ofSeconds(5))) {
      ssh.connect("127.0.0.1", sshd.getPort());

      assertThat(ssh.getSocket().getTcpNoDelay()).isTrue();
    }
  }

  @Test
  void logsIntoNoAddressThatIsNoVm() {
    RkeNodeLogin.Result result =
        RkeNodeLogin.check(clusterYml("rke", "rke", "id_ecdsa"), a -> false, Duration.ofSeconds(5));

    assertThat(result.fatal()).isNull();
    assertThat(result.usable().nodes()).hasSize(2);
  }

  /** {@code docker info} as a node answers it: the docker group only. */
  private static final class DockerInfo implements Command {
    private final String user;
    private final String command;
    private OutputStream out;
    private OutputStream err;
    private ExitCallback exit;

    private final CountDownLatch together;

    DockerInfo(String user, String command, CountDownLatch together) {
      this.user = user;
      this.command = command;
      this.together = together;
    }

    @Override
    public void start(ChannelSession channel, Environment env) {
      if (together == null) {
        answer(true);
        return;
      }
      together.countDown();
      Thread waiting =
          new Thread(
              () -> {
                try {
                  answer(together.await(3, TimeUnit.SECONDS));
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              });
      waiting.start();
    }

    /** Answers; {@code daemonUp} false: as a node whose Docker daemon does not answer. */
    private void answer(boolean daemonUp) {
      try {
        write(daemonUp);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    private void write(boolean daemonUp) throws IOException {
      int status;
      if (!command.equals("docker info")) {
        err.write("bash: command not found\n".getBytes(StandardCharsets.UTF_8));
        status = 127;
      } else if (!daemonUp) {
        err.write(
            ("Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker"
                    + " daemon running?\n")
                .getBytes(StandardCharsets.UTF_8));
        status = 1;
      } else if (DOCKER_GROUP.contains(user)) {
        out.write(" Server Version: 24.0.9\n".getBytes(StandardCharsets.UTF_8));
        status = 0;
      } else {
        err.write(
            ("ERROR: permission denied while trying to connect to the Docker daemon socket at"
                    + " unix:///var/run/docker.sock: Get"
                    + " \"http://%2Fvar%2Frun%2Fdocker.sock/v1.24/info\": dial unix"
                    + " /var/run/docker.sock: connect: permission denied\n")
                .getBytes(StandardCharsets.UTF_8));
        status = 1;
      }
      out.flush();
      err.flush();
      exit.onExit(status);
    }

    @Override
    public void destroy(ChannelSession channel) {}

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
  }
}
