package io.meshorch.charts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Helm's Go runtime takes SIGTERM for itself during a render; a process that rendered a chart must
 * still stop gracefully when a supervisor sends SIGTERM (shutdown hooks run, exit code 143), also
 * after renders that ran on several threads at once.
 */
class SignalsAfterRenderTest {

  @Test
  void aProcessThatRenderedAChartStillStopsGracefullyOnSigterm(@TempDir Path dir) throws Exception {
    String out = renderThenSigterm(dir, 1);

    assertThat(out).containsPattern("rendered \\d+");
  }

  @Test
  void aProcessWhoseRendersOverlappedStillStopsGracefullyOnSigterm(@TempDir Path dir)
      throws Exception {
    String out = renderThenSigterm(dir, 4);

    assertThat(out).containsPattern("rendered \\d+, Helm calls overlapped");
  }

  /**
   * Starts {@link RenderThenWait} with {@code threads}, waits for its renders, sends SIGTERM and
   * checks that the JVM stopped gracefully (shutdown hooks ran, exit code 143); returns its output.
   */
  private static String renderThenSigterm(Path dir, int threads) throws Exception {
    Path out = dir.resolve("out.txt");
    Process child =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                RenderThenWait.class.getName(),
                String.valueOf(threads))
            .redirectErrorStream(true)
            .redirectOutput(out.toFile())
            .start();
    try {
      await()
          .atMost(Duration.ofSeconds(100))
          .until(() -> Files.readString(out).contains("rendered "));

      child.destroy(); // SIGTERM

      assertThat(child.waitFor(30, TimeUnit.SECONDS)).as("exited after SIGTERM").isTrue();
      assertThat(child.exitValue()).isEqualTo(143);
      String text = Files.readString(out);
      assertThat(text).contains("stopped gracefully");
      return text;
    } finally {
      child.destroyForcibly();
    }
  }
}
