package io.meshorch.meshctl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshorch.meshctl.MeshCtl;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every command answers {@code --help} with its own usage, as a user tries first. */
class HelpTest {
  @ParameterizedTest
  @ValueSource(
      strings = {
        "up",
        "down",
        "serve",
        "validate",
        "status",
        "watch",
        "sandbox",
        "bench",
        "local-start"
      })
  void everyCommandPrintsItsUsageOnHelpAndDoesNothingElse(String command) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream stdout = System.out;
    PrintStream stderr = System.err;
    int code;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      code = MeshCtl.run(command, "--help");
    } finally {
      System.setOut(stdout);
      System.setErr(stderr);
    }

    assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8))
        .startsWith("Usage: meshctl " + command)
        .contains("-h, --help");
    assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
  }
}
