package io.meshorch.meshctl.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One local mode per data folder, and the next one is told who holds it. */
class DataDirLockTest {
  @TempDir Path data;

  private final long pid = ProcessHandle.current().pid();

  @Test
  void aSecondServeIsRefusedNamingTheFirstStartingThenReady() {
    DataDirLock first = DataDirLock.tryAcquire(data, "serve").orElseThrow();
    try {
      assertThat(DataDirLock.tryAcquire(data, "serve")).isEmpty();
      assertThat(DataDirLock.describeHolder(data))
          .isEqualTo(
              "meshctl serve already runs for " + data + " (pid " + pid + ", still starting)");

      new ServeFile("127.0.0.1:9092", pid, Instant.parse("2026-01-02T03:04:05Z"), data, data)
          .write();
      assertThat(DataDirLock.describeHolder(data))
          .isEqualTo(
              "meshctl serve already runs for "
                  + data
                  + " (pid "
                  + pid
                  + ", Kafka at 127.0.0.1:9092, since 2026-01-02T03:04:05Z)");
    } finally {
      first.close();
    }
  }

  @Test
  void localModeOfACommandCannotStartBesideAnotherAndNamesIt() {
    DataDirLock up = DataDirLock.acquire(data, "up");
    try {
      assertThatThrownBy(() -> DataDirLock.acquire(data, "status"))
          .isInstanceOf(DataDirInUseException.class)
          .hasMessage(data + " is in use by local mode of meshctl up (pid " + pid + ")");
    } finally {
      up.close();
    }
  }

  @Test
  void aReleasedLockCanBeTakenAgain() {
    DataDirLock.acquire(data, "serve").close();

    Optional<DataDirLock> again = DataDirLock.tryAcquire(data, "up");

    assertThat(again).isPresent();
    again.get().close();
  }
}
