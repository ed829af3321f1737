package io.meshorch.meshctl.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * {@code <data-dir>/local.lock}: one local mode per data folder at a time, whether it is a {@code
 * meshctl serve} or local mode started by one command. Two would share the folder's Kafka log,
 * secret store, clouds.yaml and SSH key while each runs a sandbox of its own. The lock is the
 * operating system's (released when the process ends, however it ends); the file names its holder
 * (pid and command), so that the next one can say who holds the folder, even while the holder is
 * still starting.
 */
public final class DataDirLock implements AutoCloseable {
  /** The file's name in the data folder. */
  public static final String NAME = "local.lock";

  private final FileChannel channel;
  private final FileLock lock;

  private DataDirLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Takes the lock of {@code dataDir} (created when missing) for this process running {@code
   * command} (e.g. {@code serve}); empty when another local mode holds it.
   */
  public static Optional<DataDirLock> tryAcquire(Path dataDir, String command) {
    Path file = dataDir.toAbsolutePath().resolve(NAME);
    try {
      Files.createDirectories(file.getParent());
      FileChannel channel =
          FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null; // held by this very JVM
      }
      if (lock == null) {
        channel.close();
        return Optional.empty();
      }
      channel.truncate(0);
      channel.write(
          ByteBuffer.wrap(
              (ProcessHandle.current().pid() + " " + command + "\n")
                  .getBytes(StandardCharsets.UTF_8)));
      channel.force(false);
      return Optional.of(new DataDirLock(channel, lock));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot lock " + file, e);
    }
  }

  /**
   * Takes the lock of {@code dataDir} for {@code command}.
   *
   * @throws DataDirInUseException naming the holder when another local mode holds it
   */
  public static DataDirLock acquire(Path dataDir, String command) {
    return tryAcquire(dataDir, command)
        .orElseThrow(() -> new DataDirInUseException(describeHolder(dataDir)));
  }

  /**
   * Names the local mode that holds the lock of {@code dataDir}: a {@code meshctl serve} with its
   * pid and, once it is ready, its broker and start time (from its {@link ServeFile}); or another
   * command's local mode with its pid.
   */
  public static String describeHolder(Path dataDir) {
    Path dir = dataDir.toAbsolutePath().normalize();
    String[] holder = holder(dir);
    String pid = holder[0];
    String command = holder[1];
    if (command.equals("serve")) {
      try {
        ServeFile serve = ServeFile.read(dir);
        if (String.valueOf(serve.pid()).equals(pid)) {
          return "meshctl serve already runs for "
              + dir
              + " (pid "
              + serve.pid()
              + ", Kafka at "
              + serve.bootstrapServers()
              + ", since "
              + serve.startedAt()
              + ")";
        }
      } catch (IOException notReadyYet) {
        // named below from the lock file alone
      }
      return "meshctl serve already runs for " + dir + " (pid " + pid + ", still starting)";
    }
    return dir
        + " is in use by local mode of meshctl "
        + (command.isEmpty() ? "" : command + " ")
        + "(pid "
        + (pid.isEmpty() ? "unknown" : pid)
        + ")";
  }

  /** {pid, command} from the lock file, empty strings where unknown. */
  private static String[] holder(Path dir) {
    try {
      String[] words =
          Files.readString(dir.resolve(NAME), StandardCharsets.UTF_8).trim().split("\\s+", 2);
      return new String[] {words[0], words.length > 1 ? words[1] : ""};
    } catch (IOException e) {
      return new String[] {"", ""};
    }
  }

  /** Releases the lock (the file stays: it is only a lock). */
  @Override
  public void close() {
    try {
      lock.release();
      channel.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot release the lock of the data folder", e);
    }
  }
}
