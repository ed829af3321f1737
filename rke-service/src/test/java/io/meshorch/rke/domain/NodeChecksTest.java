package io.meshorch.rke.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NodeChecksTest {

  @ParameterizedTest(name = "''{0}'' -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "status: done|DONE",
        "\\nstatus: done\\n|DONE",
        "status: running|RUNNING",
        "status: error|ERROR",
        "status: not started|RUNNING",
        "|RUNNING",
        "garbage: status: done|RUNNING"
      })
  void readsCloudInitStatus(String stdout, NodeChecks.CloudInit expected) {
    String out = stdout == null ? "" : stdout.replace("\\n", "\n");

    assertThat(NodeChecks.cloudInit(new CommandResult(0, out, ""))).isEqualTo(expected);
  }

  @ParameterizedTest(name = "exit {0}, ''{1}'' -> {2}")
  @CsvSource(
      delimiter = '|',
      value = {"0|24.0.9\\n|24.0.9", "1||", "0||", "127|24.0.9|", "0|a\\nb|"})
  void readsTheDockerServerVersionOnlyWhenTheDaemonAnswered(
      int exit, String stdout, String expected) {
    String out = stdout == null ? "" : stdout.replace("\\n", "\n");

    assertThat(NodeChecks.dockerVersion(new CommandResult(exit, out, "")))
        .isEqualTo(Optional.ofNullable(expected));
  }
}
