package io.meshorch.rke.domain;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NodeChecksTest {

  private static String lines(String text) {
    return text == null ? "" : text.replace("\\n", "\n");
  }

  @Test
  void asksCloudInitWithoutWaitingOnTheNode() {
    assertThat(NodeChecks.CLOUD_INIT).isEqualTo("cloud-init status").doesNotContain("--wait");
  }

  @ParameterizedTest(name = "exit {0}, out ''{1}'', err ''{2}'' -> {3}")
  @CsvSource(
      delimiter = '|',
      value = {
        // plain `cloud-init status` on a booting node (real and sandbox), then when it is over
        "0|status: running||RUNNING|status: running",
        "0|status: done||DONE|status: done",
        "0|\\nstatus: done\\n||DONE|status: done",
        // `--wait` prints progress dots before the status line
        "0|.....\\nstatus: done||DONE|status: done",
        // cloud-init 23.4+: exit 1 on error, exit 2 when done with recoverable errors
        "1|status: error||ERROR|status: error",
        "2|status: done||DONE|status: done",
        "0|status: disabled||DONE|status: disabled",
        "0|status: not started||RUNNING|status: not started",
        "0|status: not run||RUNNING|status: not run",
        // no status line: keep waiting, and say what the node answered
        "127||bash: cloud-init: command not found|RUNNING|exited 127 without a status line: bash:"
            + " cloud-init: command not found",
        "0|garbage: status: done||RUNNING|without a status line: garbage: status: done",
        "0|||RUNNING|(no output)"
      })
  void readsCloudInitStatus(
      int exit, String stdout, String stderr, NodeChecks.CloudInit expected, String detail) {
    NodeChecks.CloudInitStatus status =
        NodeChecks.cloudInit(new CommandResult(exit, lines(stdout), lines(stderr)));

    assertThat(status.state()).isEqualTo(expected);
    assertThat(status.detail()).contains(detail);
  }

  @ParameterizedTest(name = "exit {0}, out ''{1}'', err ''{2}'' -> {3}")
  @CsvSource(
      delimiter = '|',
      value = {
        "0|24.0.9\\n||24.0.9|",
        // the daemon is not up yet: the sandbox's and Docker's own answer while cloud-init runs
        "1||Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon"
            + " running?||the Docker daemon does not answer yet: Cannot connect to the Docker"
            + " daemon",
        "1|\\n|template: :1:9: executing \"\" at <.Server.Version>: nil pointer\\nCannot connect to"
            + " the Docker daemon at unix:///var/run/docker.sock.||the Docker daemon does not answer"
            + " yet: Cannot connect",
        // the SSH user is not in the docker group
        "1||permission denied while trying to connect to the Docker daemon socket at"
            + " unix:///var/run/docker.sock||cannot reach the Docker socket: permission denied",
        "127||bash: docker: command not found||docker is not installed yet",
        "0||||docker version exited 0",
        "0|<no value>\\n|||docker version exited 0",
        "0|a\\nb|||docker version exited 0",
        "-1||||docker version exited -1"
      })
  void readsTheDockerServerVersionOnlyWhenTheDaemonAnswered(
      int exit, String stdout, String stderr, String version, String problem) {
    NodeChecks.DockerStatus status =
        NodeChecks.docker(new CommandResult(exit, lines(stdout), lines(stderr)));

    assertThat(status.version()).isEqualTo(version);
    assertThat(status.ready()).isEqualTo(version != null);
    assertThat(status.accessDenied())
        .isEqualTo(stderr != null && stderr.startsWith("permission denied"));
    if (problem == null) {
      assertThat(status.problem()).isNull();
    } else {
      assertThat(status.problem()).contains(problem);
    }
  }
}
