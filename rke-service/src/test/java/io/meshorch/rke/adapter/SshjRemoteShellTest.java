package io.meshorch.rke.adapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshorch.kit.failure.StepFailure;
import io.meshorch.kit.failure.TerminalFailure;
import io.meshorch.kit.failure.TransientFailure;
import io.meshorch.rke.adapter.ssh.SshjRemoteShell;
import io.meshorch.rke.domain.CommandResult;
import io.meshorch.rke.domain.HostKeyPolicy;
import io.meshorch.rke.domain.SshTarget;
import io.meshorch.rke.support.TestVm;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SshjRemoteShellTest {
  @TempDir Path dir;
  private KeyPair user;
  private TestVm vm;
  private SshjRemoteShell shell;

  @BeforeEach
  void start() throws Exception {
    user = TestVm.newKey();
    vm = TestVm.start("127.0.0.1", 0, user.getPublic());
    shell =
        new SshjRemoteShell(
            TestVm.writePrivateKey(user, dir.resolve("id")).toString(), Duration.ofSeconds(5));
  }

  @AfterEach
  void stop() {
    vm.close();
  }

  private SshTarget target(HostKeyPolicy keys, int port) {
    return new SshTarget("node-0", "127.0.0.1", port, "ubuntu", keys);
  }

  @Test
  void runsACommandOnANodeWhoseHostKeyIsPinned() {
    CommandResult result =
        shell.run(
            target(HostKeyPolicy.forNode(List.of(vm.fingerprint()), null), vm.port()),
            "docker version --format '{{.Server.Version}}'",
            Duration.ofSeconds(5));

    assertThat(result.ok()).isTrue();
    assertThat(result.stdout()).isEqualTo("24.0.9");
  }

  @Test
  void refusesANodeWhoseHostKeyIsNotThePinnedOne() {
    HostKeyPolicy wrong = HostKeyPolicy.forNode(List.of("SHA256:" + "A".repeat(43)), null);

    assertThatThrownBy(() -> shell.run(target(wrong, vm.port()), "true", Duration.ofSeconds(5)))
        .isInstanceOf(TerminalFailure.class)
        .extracting(e -> ((StepFailure) e).code())
        .isEqualTo("HOST_KEY_MISMATCH");
    assertThat(vm.commands()).isZero();
  }

  @Test
  void checksHostKeysAgainstKnownHostsWhenNoFingerprintWasPublished() throws Exception {
    Path knownHosts =
        Files.writeString(dir.resolve("known_hosts"), vm.knownHostsLine("127.0.0.1") + "\n");

    CommandResult result =
        shell.run(
            target(HostKeyPolicy.forNode(List.of(), knownHosts.toString()), vm.port()),
            "cloud-init status --wait",
            Duration.ofSeconds(5));

    assertThat(result.stdout()).isEqualTo("status: done");
  }

  @Test
  void refusesToConnectWithoutAnyWayToVerifyTheHostKey() {
    assertThatThrownBy(
            () ->
                shell.run(
                    target(HostKeyPolicy.forNode(List.of(), null), vm.port()),
                    "true",
                    Duration.ofSeconds(5)))
        .isInstanceOf(TerminalFailure.class)
        .hasMessageContaining("known_hosts");
  }

  @Test
  void reportsANodeThatDoesNotAnswerYetAsTransient() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }

    assertThatThrownBy(
            () ->
                shell.run(
                    target(HostKeyPolicy.forNode(List.of(vm.fingerprint()), null), closed),
                    "true",
                    Duration.ofSeconds(5)))
        .isInstanceOf(TransientFailure.class)
        .extracting(e -> ((StepFailure) e).code())
        .isEqualTo("SSH_UNREACHABLE");
  }
}
