package io.meshorch.rke.adapter.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.meshorch.kit.failure.StepFailure;
import io.meshorch.kit.failure.TerminalFailure;
import io.meshorch.kit.failure.TransientFailure;
import io.meshorch.rke.domain.CommandResult;
import io.meshorch.rke.domain.HostKeyTrust;
import io.meshorch.rke.domain.NodeChecks;
import io.meshorch.rke.domain.SshTarget;
import io.meshorch.rke.support.TestVm;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sshj adapter against in-process MINA SSH daemons playing freshly booted nodes. */
class SshjRemoteShellTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  @TempDir Path dir;
  private KeyPair user;
  private TestVm vm;
  private SshjRemoteShell shell;

  @BeforeEach
  void start() throws Exception {
    user = TestVm.newKey();
    vm = TestVm.start("127.0.0.1", 0, user.getPublic());
    shell = new SshjRemoteShell(TestVm.writePrivateKey(user, dir.resolve("id")), TIMEOUT);
  }

  @AfterEach
  void stop() {
    vm.close();
  }

  private static SshTarget target(HostKeyTrust trust, int port) {
    return new SshTarget("node-0", "127.0.0.1", port, "ubuntu", trust);
  }

  private static String code(Throwable e) {
    return ((StepFailure) e).code();
  }

  @Test
  void runsACommandOnANodeWhoseHostKeyIsPinned() {
    CommandResult result =
        shell.run(
            target(new HostKeyTrust.Pinned(List.of(vm.fingerprint())), vm.port()),
            NodeChecks.DOCKER,
            TIMEOUT);

    assertThat(result.exitStatus()).isZero();
    assertThat(result.stdout()).isEqualTo("24.0.9\n");
    assertThat(vm.commands()).isEqualTo(1);
  }

  @Test
  void itsConnectionsSendWithoutNaglesDelay() throws Exception {
    try (ServerSocket listener = new ServerSocket(0);
        Socket unconnected = NoDelaySockets.INSTANCE.createSocket();
        Socket connected =
            NoDelaySockets.INSTANCE.createSocket("127.0.0.1", listener.getLocalPort())) {
      assertThat(unconnected.getTcpNoDelay()).isTrue();
      assertThat(connected.isConnected()).isTrue();
      assertThat(connected.getTcpNoDelay()).isTrue();
    }
  }

  @Test
  void theCommandsOfOneCallShareOneConnection() {
    SshTarget node = target(new HostKeyTrust.Pinned(List.of(vm.fingerprint())), vm.port());

    List<CommandResult> answers =
        shell.onNode(
            node, TIMEOUT, c -> List.of(c.run(NodeChecks.CLOUD_INIT), c.run(NodeChecks.DOCKER)));
    shell.run(node, NodeChecks.DOCKER, TIMEOUT);

    assertThat(answers.get(0).stdout()).contains("status: done");
    assertThat(answers.get(1).stdout()).isEqualTo("24.0.9\n");
    assertThat(vm.commands()).isEqualTo(3);
    assertThat(vm.connections()).as("one for both commands of onNode, one for run").isEqualTo(2);
  }

  @Test
  void acceptsANodeWhenAnyOfItsPinnedFingerprintsMatches() {
    HostKeyTrust trust =
        new HostKeyTrust.Pinned(List.of("SHA256:" + "A".repeat(43), vm.fingerprint()));

    assertThat(shell.run(target(trust, vm.port()), NodeChecks.CLOUD_INIT, TIMEOUT).stdout())
        .isEqualTo("status: done\n");
  }

  @Test
  void refusesANodeWhoseHostKeyIsNotThePinnedOne() {
    HostKeyTrust wrong = new HostKeyTrust.Pinned(List.of("SHA256:" + "A".repeat(43)));

    assertThatThrownBy(() -> shell.run(target(wrong, vm.port()), "true", TIMEOUT))
        .isInstanceOf(TerminalFailure.class)
        .satisfies(e -> assertThat(code(e)).isEqualTo("HOST_KEY_MISMATCH"))
        .hasMessageContaining("node-0");
    assertThat(vm.commands()).isZero();
  }

  @Test
  void checksHostKeysAgainstAKnownHostsFile() throws Exception {
    Path knownHosts =
        Files.writeString(dir.resolve("known_hosts"), vm.knownHostsLine("127.0.0.1") + "\n");

    CommandResult result =
        shell.run(
            target(new HostKeyTrust.KnownHosts(knownHosts), vm.port()),
            NodeChecks.CLOUD_INIT,
            TIMEOUT);

    assertThat(result.stdout()).isEqualTo("status: done\n");
  }

  @Test
  void refusesAHostMissingFromKnownHostsAndNeverAddsIt() throws Exception {
    String other = "[127.0.0.2]:" + vm.port() + " " + PublicKeyEntry.toString(vm.hostKey());
    Path knownHosts = Files.writeString(dir.resolve("known_hosts"), other + "\n");

    assertThatThrownBy(
            () ->
                shell.run(
                    target(new HostKeyTrust.KnownHosts(knownHosts), vm.port()), "true", TIMEOUT))
        .isInstanceOf(TerminalFailure.class)
        .satisfies(e -> assertThat(code(e)).isEqualTo("HOST_KEY_UNKNOWN"));
    assertThat(Files.readString(knownHosts)).isEqualTo(other + "\n");
    assertThat(vm.commands()).isZero();
  }

  @Test
  void refusesAHostWhoseKeyChangedSinceItWasRecordedInKnownHosts() throws Exception {
    String stale =
        "[127.0.0.1]:" + vm.port() + " " + PublicKeyEntry.toString(TestVm.newKey().getPublic());
    Path knownHosts = Files.writeString(dir.resolve("known_hosts"), stale + "\n");

    assertThatThrownBy(
            () ->
                shell.run(
                    target(new HostKeyTrust.KnownHosts(knownHosts), vm.port()), "true", TIMEOUT))
        .isInstanceOf(TerminalFailure.class)
        .satisfies(e -> assertThat(code(e)).isEqualTo("HOST_KEY_MISMATCH"));
  }

  @Test
  void reportsANodeThatDoesNotListenYetAsTransient() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }

    assertThatThrownBy(
            () ->
                shell.run(
                    target(new HostKeyTrust.Pinned(List.of(vm.fingerprint())), closed),
                    "true",
                    TIMEOUT))
        .isInstanceOf(TransientFailure.class)
        .satisfies(e -> assertThat(code(e)).isEqualTo("SSH_UNREACHABLE"));
  }

  @Test
  void reportsARefusedUserKeyAsRetryableSinceCloudInitMayNotHaveInstalledItYet() throws Exception {
    SshjRemoteShell stranger =
        new SshjRemoteShell(TestVm.writePrivateKey(TestVm.newKey(), dir.resolve("other")), TIMEOUT);

    assertThatThrownBy(
            () ->
                stranger.run(
                    target(new HostKeyTrust.Pinned(List.of(vm.fingerprint())), vm.port()),
                    "true",
                    TIMEOUT))
        .isInstanceOf(TransientFailure.class)
        .satisfies(e -> assertThat(code(e)).isEqualTo("SSH_AUTH_FAILED"));
  }

  @Test
  void refusesAPrivateKeyFileItCannotReadWithoutQuotingIt() throws Exception {
    Path garbage =
        Files.writeString(dir.resolve("garbage"), "-----BEGIN NONSENSE-----\nc2VjcmV0\n");

    assertThatThrownBy(
            () ->
                new SshjRemoteShell(garbage, TIMEOUT)
                    .run(
                        target(new HostKeyTrust.Pinned(List.of(vm.fingerprint())), vm.port()),
                        "true",
                        TIMEOUT))
        .isInstanceOf(TerminalFailure.class)
        .satisfies(e -> assertThat(code(e)).isEqualTo("SSH_KEY_UNREADABLE"))
        .hasMessageContaining("mesh.ssh.private-key-path")
        .hasMessageNotContaining("c2VjcmV0");
  }

  @Test
  void reportsANodeWhoseDaemonIsNotUpAsUnreachableAndAnswersOnceItIs() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    KeyPair hostKey = TestVm.newKey();
    SshTarget node =
        target(new HostKeyTrust.Pinned(List.of(TestVm.fingerprint(hostKey.getPublic()))), port);

    assertThatThrownBy(() -> shell.run(node, NodeChecks.CLOUD_INIT, TIMEOUT))
        .isInstanceOfSatisfying(
            TransientFailure.class, e -> assertThat(e.code()).isEqualTo("SSH_UNREACHABLE"));

    try (TestVm late = TestVm.start("127.0.0.1", port, user.getPublic(), hostKey)) {
      assertThat(shell.run(node, NodeChecks.CLOUD_INIT, TIMEOUT).stdout()).contains("status: done");
      assertThat(late.commands()).isEqualTo(1);
    }
  }

  @Test
  void readsABootingNodesAnswersAsNotReadyAndItsLaterAnswersAsReady() {
    try (TestVm booting =
        TestVm.start("127.0.0.1", 0, user.getPublic(), TestVm.newKey(), Duration.ofMillis(1_500))) {
      SshTarget node =
          target(new HostKeyTrust.Pinned(List.of(booting.fingerprint())), booting.port());

      NodeChecks.CloudInitStatus cloudInit =
          NodeChecks.cloudInit(shell.run(node, NodeChecks.CLOUD_INIT, TIMEOUT));
      NodeChecks.DockerStatus docker =
          NodeChecks.docker(shell.run(node, NodeChecks.DOCKER, TIMEOUT));

      assertThat(cloudInit.state()).isEqualTo(NodeChecks.CloudInit.RUNNING);
      assertThat(docker.ready()).isFalse();
      assertThat(docker.problem())
          .startsWith("the Docker daemon does not answer yet")
          .contains("Cannot connect to the Docker daemon");
      await()
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(200))
          .until(
              () ->
                  NodeChecks.cloudInit(shell.run(node, NodeChecks.CLOUD_INIT, TIMEOUT)).state()
                      == NodeChecks.CloudInit.DONE);
      assertThat(NodeChecks.docker(shell.run(node, NodeChecks.DOCKER, TIMEOUT)).version())
          .isEqualTo("24.0.9");
    }
  }
}
