package io.meshorch.meshctl.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Local mode builds the services' contexts while its broker starts; a broker that cannot start must
 * still fail the start at once, with the broker's own cause, and leave no service running.
 */
class LocalStackStartE2E {
  @TempDir Path data;

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void aBrokerThatCannotStartFailsLocalModeWithItsCauseAndNoServiceRuns() throws Exception {
    // The broker's folder is taken by a file: its start fails, the sandbox's does not.
    Files.writeString(data.resolve("kafka"), "not a folder");
    long started = System.nanoTime();

    assertThatThrownBy(() -> LocalStack.start(data, true))
        .hasMessageContaining("cannot start the local Kafka broker in " + data.resolve("kafka"));

    // A context left to find out by itself would wait out a Kafka timeout (mesh-service's ledger
    // replay: mesh.service.replay-timeout, 60 s) before failing.
    assertThat(Duration.ofNanos(System.nanoTime() - started))
        .as("no wait for the broker beyond its failed start")
        .isLessThan(Duration.ofSeconds(55));
    assertThat(Thread.getAllStackTraces().keySet())
        .as("no service's consumer thread")
        .noneMatch(t -> t.getName().matches(".*-service-\\d+-C-\\d+"));
  }
}
