package io.meshorch.meshctl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshorch.meshctl.MeshCtl;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Options the benchmark cannot run with are refused before anything starts, saying why. */
class BenchCommandTest {
  @TempDir Path dir;

  @Test
  void sizesThatDoNotStartWithOneAreAUsageErrorNamingTheRule() {
    String err = refused("--sizes", "16");

    assertThat(err).contains("meshctl bench: sizes must start with 1, found [16]");
    assertThat(err).doesNotContain("Exception").doesNotContain("\tat ");
  }

  @Test
  void aScaleThatIsNotPositiveIsAUsageErrorNamingTheRule() {
    assertThat(refused("--scale", "0"))
        .contains("meshctl bench: scale must be positive, found 0.0");
  }

  private String refused(String... options) {
    Path work = dir.resolve("work");
    String[] args = new String[options.length + 3];
    args[0] = "bench";
    System.arraycopy(options, 0, args, 1, options.length);
    args[options.length + 1] = "--work-dir=" + work;
    args[options.length + 2] = "--out=" + dir.resolve("results.json");
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream err = System.err;
    int code;
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      code = MeshCtl.run(args);
    } finally {
      System.setErr(err);
    }
    assertThat(code).as("usage error").isEqualTo(2);
    assertThat(work).as("nothing started").doesNotExist();
    assertThat(Files.exists(dir.resolve("results.json"))).isFalse();
    return captured.toString(StandardCharsets.UTF_8);
  }
}
