package io.meshorch.meshctl.cli;

import io.meshorch.meshctl.bench.Bench;
import io.meshorch.meshctl.local.LocalStack;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;

/**
 * {@code meshctl local-start} (hidden): starts local mode in a temporary folder, waits until every
 * service's consumer is assigned, stops it and deletes the folder. The {@code meshctl} script runs
 * it once per build to record the class-data archive of local mode's start (see README.md).
 */
@Command(
    name = "local-start",
    hidden = true,
    description =
        "Start local mode in a temporary folder until every service's consumer is assigned, then"
            + " stop: the run the meshctl script records its class-data archive from.")
public final class LocalStartCommand implements Callable<Integer> {
  /** How long the services' consumers may take to be assigned after their contexts started. */
  private static final Duration ASSIGNED_TIMEOUT = Duration.ofMinutes(2);

  @Override
  public Integer call() throws Exception {
    Path dir = Files.createTempDirectory("meshctl-local-start");
    try (LocalStack stack = LocalStack.start(dir, true)) {
      Bench.awaitConsumersAssigned(stack.bootstrapServers(), ASSIGNED_TIMEOUT);
    } finally {
      delete(dir);
    }
    System.out.println("local mode started and stopped");
    return Exit.READY;
  }

  private static void delete(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + dir, e);
    }
  }
}
