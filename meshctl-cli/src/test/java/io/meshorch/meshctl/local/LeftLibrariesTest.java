package io.meshorch.meshctl.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a local mode killed before it could delete helm-java's library leaves in the temporary
 * folder, and what the next start deletes: only a helm-java folder of its user that no process maps
 * and that is older than a start takes to load it.
 */
class LeftLibrariesTest {
  @TempDir Path tmp;

  private Path helmFolder(String name, Duration age) throws IOException {
    Path folder = Files.createDirectory(tmp.resolve(name));
    Files.writeString(folder.resolve("libhelm.so"), "ELF");
    Files.setLastModifiedTime(folder, FileTime.from(Instant.now().minus(age)));
    return folder;
  }

  @Test
  void findsOnlyOldHelmFoldersThatNoProcessMaps() throws IOException {
    Path killed = helmFolder("helm-java111", Duration.ofHours(2));
    Path running = helmFolder("helm-java222", Duration.ofHours(2));
    helmFolder("helm-java333", Duration.ofMinutes(1)); // a start unpacking it right now
    Path other = Files.createDirectory(tmp.resolve("jna-123"));
    Files.setLastModifiedTime(other, FileTime.from(Instant.now().minus(Duration.ofHours(2))));

    Set<Path> mapped =
        Set.of(running.resolve("libhelm.so").toAbsolutePath(), Path.of("/usr/lib/x"));
    assertThat(LeftLibraries.leftOver(tmp, mapped, Instant.now().minus(LeftLibraries.OLDER_THAN)))
        .containsExactly(killed.toAbsolutePath().normalize());
  }

  @Test
  void deletesWhatNoLiveProcessMapsWithWhatItHolds() throws IOException {
    Path killed = helmFolder("helm-java444", Duration.ofHours(2));

    // The real /proc: no process maps a file of a folder just made here.
    assertThat(LeftLibraries.deleteFrom(tmp)).containsExactly(killed.toAbsolutePath().normalize());
    assertThat(killed).doesNotExist();
  }

  @Test
  void readsTheFileOfAMapsLine() {
    assertThat(
            LeftLibraries.mappedPath(
                "7f3a1c000000-7f3a1d000000 r-xp 00000000 08:01 1234    /tmp/helm-java9/libhelm.so"))
        .isEqualTo(Path.of("/tmp/helm-java9/libhelm.so"));
    assertThat(
            LeftLibraries.mappedPath(
                "7f3a1c000000-7f3a1d000000 r-xp 00000000 08:01 1234    /tmp/helm-java9/x.so"
                    + " (deleted)"))
        .isEqualTo(Path.of("/tmp/helm-java9/x.so"));
    assertThat(LeftLibraries.mappedPath("7ffd0000-7ffd1000 rw-p 00000000 00:00 0    [stack]"))
        .isNull();
  }

  @Test
  void seesTheLibrariesThisJvmMaps() {
    // The live processes' maps, this one's among them: its libjvm.so.
    assertThat(LeftLibraries.mappedFiles())
        .anyMatch(p -> p.getFileName() != null && p.getFileName().toString().equals("libjvm.so"));
  }
}
