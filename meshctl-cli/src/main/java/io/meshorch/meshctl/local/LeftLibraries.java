package io.meshorch.meshctl.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * helm-java's native library left in the temporary folder by a local mode that was killed:
 * helm-java unpacks its 94 MB library into a folder {@code helm-java*} of {@code java.io.tmpdir} at
 * every start and marks it deleteOnExit, which a {@code SIGKILL} (or the OOM killer) never runs. A
 * folder is left over when it is older than a start takes to unpack it and no process that this
 * user can see maps a file of it ({@code /proc/<pid>/maps}; nothing off Linux, where the folder is
 * kept).
 */
public final class LeftLibraries {
  /** Longer than any start takes between creating the folder and loading the library. */
  static final Duration OLDER_THAN = Duration.ofMinutes(10);

  private LeftLibraries() {}

  /**
   * Deletes the folders of {@code tmp} that {@link #leftOver} finds, with what they hold.
   *
   * @return the folders deleted
   */
  public static List<Path> deleteFrom(Path tmp) {
    Set<Path> mapped = mappedFiles();
    if (mapped == null) {
      return List.of();
    }
    List<Path> deleted = new ArrayList<>();
    for (Path folder : leftOver(tmp, mapped, Instant.now().minus(OLDER_THAN))) {
      try {
        deleteTree(folder);
        deleted.add(folder);
      } catch (IOException | UncheckedIOException e) {
        System.err.println("meshctl: cannot delete " + folder + ": " + e.getMessage());
      }
    }
    return deleted;
  }

  /**
   * The folders {@code helm-java*} of {@code tmp} that this user owns, last changed before {@code
   * before}, none of whose files is in {@code mapped}.
   */
  static List<Path> leftOver(Path tmp, Set<Path> mapped, Instant before) {
    List<Path> out = new ArrayList<>();
    String user = System.getProperty("user.name");
    try (DirectoryStream<Path> folders = Files.newDirectoryStream(tmp, "helm-java*")) {
      for (Path folder : folders) {
        Path real = folder.toAbsolutePath().normalize();
        if (Files.isDirectory(real, LinkOption.NOFOLLOW_LINKS)
            && Files.getOwner(real).getName().equals(user)
            && Files.getLastModifiedTime(real).toInstant().isBefore(before)
            && mapped.stream().noneMatch(file -> file.startsWith(real))) {
          out.add(real);
        }
      }
    } catch (IOException e) {
      return List.of();
    }
    return out;
  }

  /** The files mapped by the processes this user can read the maps of; null off Linux. */
  static Set<Path> mappedFiles() {
    Path proc = Path.of("/proc");
    if (!Files.isReadable(proc.resolve("self").resolve("maps"))) {
      return null;
    }
    Set<Path> out = new HashSet<>();
    try (DirectoryStream<Path> pids = Files.newDirectoryStream(proc, "[0-9]*")) {
      for (Path pid : pids) {
        try (Stream<String> lines = Files.lines(pid.resolve("maps"))) {
          lines.map(LeftLibraries::mappedPath).filter(p -> p != null).forEach(out::add);
        } catch (IOException | UncheckedIOException | SecurityException e) {
          // gone meanwhile, or another user's: its folders are not ours to delete either
        }
      }
    } catch (IOException e) {
      return null;
    }
    return out;
  }

  /** The file of a {@code /proc/<pid>/maps} line, or null for an anonymous mapping. */
  static Path mappedPath(String line) {
    int slash = line.indexOf('/');
    if (slash < 0) {
      return null;
    }
    String file = line.substring(slash);
    if (file.endsWith(" (deleted)")) {
      file = file.substring(0, file.length() - " (deleted)".length());
    }
    return Path.of(file);
  }

  private static void deleteTree(Path folder) throws IOException {
    try (Stream<Path> paths = Files.walk(folder)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
