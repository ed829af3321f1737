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
 * still stop gracefully when a supervisor sends SIGTERM (shutdown hooks run, exit code 143).
 */
class SignalsAfterRenderTest {

  @Test
  void aProcessThatRenderedAChartStillStopsGracefullyOnSigterm(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("out.txt");
    Process child =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                RenderThenWait.class.getName())
            .redirectErrorStream(true)
            .redirectOutput(out.toFile())
            .start();
    try {
      await()
          .atMost(Duration.ofSeconds(90))
          .until(() -> Files.readString(out).contains("rendered "));

      child.destroy(); // SIGTERM

      assertThat(child.waitFor(30, TimeUnit.SECONDS)).as("exited after SIGTERM").isTrue();
      assertThat(child.exitValue()).isEqualTo(143);
      assertThat(Files.readString(out)).contains("stopped gracefully");
    } finally {
      child.destroyForcibly();
    }
  }
}
