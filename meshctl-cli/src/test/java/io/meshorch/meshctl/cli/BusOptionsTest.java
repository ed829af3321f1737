package io.meshorch.meshctl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshorch.meshctl.cli.BusOptions.Kind;
import io.meshorch.meshctl.cli.BusOptions.Target;
import io.meshorch.meshctl.local.ServeFile;
import io.meshorch.meshctl.local.ServeLookup;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which bus a command uses, and the line that tells the user. */
class BusOptionsTest {
  @TempDir Path data;

  @Test
  void aRunningServeIsUsedAndNamed() {
    ServeFile serve =
        new ServeFile("127.0.0.1:4242", 77, Instant.now(), data.resolve("meshctl.log"), data);

    Target target = BusOptions.resolve(null, data, dir -> new ServeLookup.Running(serve));

    assertThat(target.kind()).isEqualTo(Kind.SERVE);
    assertThat(target.bootstrapServers()).isEqualTo("127.0.0.1:4242");
    assertThat(target.notes())
        .containsExactly(
            "meshctl: using meshctl serve (pid 77, Kafka at 127.0.0.1:4242, logs in "
                + data.resolve("meshctl.log")
                + ")");
  }

  @Test
  void aStaleServeFileIsIgnoredWithANoteAndLocalModeIsUsed() {
    Path file = ServeFile.path(data);

    Target target =
        BusOptions.resolve(
            null, data, dir -> new ServeLookup.Stale(file, "process 77 is not running"));

    assertThat(target.kind()).isEqualTo(Kind.LOCAL);
    assertThat(target.notes())
        .containsExactly(
            "meshctl: ignoring " + file + ": process 77 is not running",
            "meshctl: local mode in "
                + data
                + " for this command (no running meshctl serve found)");
  }

  @Test
  void aServeFileWhoseBrokerDoesNotAnswerFallsBackToLocalMode() throws Exception {
    // The real checks: this JVM is alive, nothing listens on the port.
    int port;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    new ServeFile(
            "127.0.0.1:" + port,
            ProcessHandle.current().pid(),
            Instant.now(),
            data.resolve("meshctl.log"),
            data)
        .write();

    Target target = BusOptions.resolve(null, data, ServeFile::find);

    assertThat(target.kind()).isEqualTo(Kind.LOCAL);
    assertThat(target.notes()).hasSize(2);
    assertThat(target.notes().get(0)).contains("does not answer");
  }

  @Test
  void aGivenBootstrapServerWinsOverAnyServe() {
    Target target =
        BusOptions.resolve(
            "kafka-1:9092",
            data,
            dir -> {
              throw new AssertionError("no serve lookup with --bootstrap-server");
            });

    assertThat(target)
        .isEqualTo(
            new Target(
                Kind.REMOTE, "kafka-1:9092", List.of("meshctl: using Kafka at kafka-1:9092")));
  }

  @Test
  void noServeFileMeansLocalModeWithoutANote() {
    Target target = BusOptions.resolve(null, data, dir -> new ServeLookup.Absent());

    assertThat(target.kind()).isEqualTo(Kind.LOCAL);
    assertThat(target.notes())
        .containsExactly(
            "meshctl: local mode in "
                + data
                + " for this command (no running meshctl serve found)");
  }
}
