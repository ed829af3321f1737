package io.meshorch.meshctl.cli;

import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.Topics;
import io.meshorch.meshctl.follow.EventFollower;
import io.meshorch.meshctl.follow.Render;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code meshctl watch [mesh]}: prints events as they happen, until interrupted. */
@Command(name = "watch", description = "Print mesh events as they happen (Ctrl-C to stop).")
public final class WatchCommand implements Callable<Integer> {
  @Parameters(arity = "0..1", description = "Only this mesh.")
  String meshId;

  @Option(names = "--from-beginning", description = "Print the history first.")
  boolean fromBeginning;

  @Option(
      names = "--for",
      description = "Stop after this long (ISO-8601), e.g. PT10M. Default: never.")
  Duration duration;

  @Mixin BusOptions bus;

  @Override
  public Integer call() {
    Instant until = duration == null ? Instant.MAX : Instant.now().plus(duration);
    try (MeshBus mesh = bus.forReading();
        EventFollower follower =
            new EventFollower(mesh.bootstrapServers(), Topics.ALL, fromBeginning)) {
      while (Instant.now().isBefore(until)) {
        for (EventEnvelope event : follower.poll(Duration.ofMillis(500))) {
          if (meshId == null || meshId.equals(event.meshId())) {
            System.out.println(event.occurredAt() + " " + event.meshId() + Render.line(event));
          }
        }
      }
    }
    return Exit.READY;
  }
}
