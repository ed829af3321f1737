package io.meshorch.meshctl.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code up}, {@code status} and {@code watch} conclude from a data folder's serve.json: a
 * serve to use, or a file left behind that they ignore (and fall back to local mode).
 */
class ServeFileTest {
  @TempDir Path data;

  private ServeFile serve(long pid, String bootstrap) {
    return new ServeFile(
        bootstrap,
        pid,
        Instant.now().truncatedTo(ChronoUnit.MILLIS),
        data.resolve("logs").resolve("meshctl.log"),
        data);
  }

  @Test
  void aWrittenFileReadsBackWithEverythingAClientNeedsAndIsGoneOnceDeleted() throws IOException {
    ServeFile written = serve(ProcessHandle.current().pid(), "127.0.0.1:9092");

    written.write();

    assertThat(ServeFile.path(data)).exists();
    assertThat(ServeFile.read(data)).isEqualTo(written);
    ServeFile.delete(data);
    assertThat(ServeFile.path(data)).doesNotExist();
    assertThat(ServeFile.find(data)).isInstanceOf(ServeLookup.Absent.class);
  }

  @Test
  void aFileOfAProcessThatHasEndedIsStale() throws Exception {
    Process ended = new ProcessBuilder("true").start();
    assertThat(ended.waitFor(10, TimeUnit.SECONDS)).as("`true` ended").isTrue();
    serve(ended.pid(), "127.0.0.1:9092").write();

    ServeLookup found = ServeFile.find(data);

    assertThat(found)
        .isEqualTo(
            new ServeLookup.Stale(
                ServeFile.path(data), "process " + ended.pid() + " is not running"));
  }

  @Test
  void aFileWhoseProcessRunsButWhoseBrokerDoesNotAnswerIsStale() throws IOException {
    String closedPort = "127.0.0.1:" + closedPort();
    long pid = ProcessHandle.current().pid();
    serve(pid, closedPort).write();

    ServeLookup found = ServeFile.find(data);

    assertThat(found).isInstanceOf(ServeLookup.Stale.class);
    assertThat(((ServeLookup.Stale) found).reason())
        .isEqualTo(
            "the broker at " + closedPort + " of process " + pid + " does not answer within 10 s");
  }

  @Test
  void aFileThatIsNotAServeFileIsStale() throws IOException {
    Files.writeString(ServeFile.path(data), "{\"pid\": 12");

    ServeLookup found = ServeFile.find(data);

    assertThat(found).isInstanceOf(ServeLookup.Stale.class);
    assertThat(((ServeLookup.Stale) found).reason()).startsWith("cannot read it (not a serve file");
  }

  @Test
  void aFileWhoseProcessRunsAndWhoseBrokerAnswersNamesTheServe() {
    ServeFile written = serve(ProcessHandle.current().pid(), "127.0.0.1:9092");
    written.write();

    ServeLookup found = ServeFile.find(data, ServeFile::processAlive, bootstrap -> true);

    assertThat(found).isEqualTo(new ServeLookup.Running(written));
  }

  /** A loopback port nobody listens on (bound, then released). */
  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress("127.0.0.1", 0));
      return socket.getLocalPort();
    }
  }
}
