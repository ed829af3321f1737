package io.meshorch.meshctl.cli;

import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.Topics;
import io.meshorch.meshctl.follow.EventFollower;
import io.meshorch.meshctl.follow.MeshRun;
import io.meshorch.meshctl.follow.Render;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code meshctl status [mesh]}: the latest state of each mesh, from the event history. */
@Command(
    name = "status",
    description = "Show the latest state of every mesh (or one), read from the event history.")
public final class StatusCommand implements Callable<Integer> {
  @Parameters(arity = "0..1", description = "Only this mesh.")
  String meshId;

  @Option(
      names = {"-o", "--output"},
      defaultValue = "text",
      description = "text or json.")
  String output;

  @Mixin BusOptions bus;

  @Override
  public Integer call() {
    Map<String, MeshRun> runs = new LinkedHashMap<>();
    try (MeshBus mesh = bus.forReading();
        EventFollower history = new EventFollower(mesh.bootstrapServers(), Topics.ALL, true)) {
      for (EventEnvelope event : history.readToEnd(Duration.ofSeconds(60))) {
        if (meshId == null || meshId.equals(event.meshId())) {
          runs.computeIfAbsent(event.meshId(), MeshRun::new).apply(event);
        }
      }
    }
    if (runs.isEmpty()) {
      System.out.println(meshId == null ? "no meshes yet" : "no events for mesh " + meshId);
      return meshId == null ? Exit.READY : Exit.FAILED;
    }
    for (MeshRun run : runs.values()) {
      System.out.print(
          "json".equalsIgnoreCase(output)
              ? Render.json(run) + System.lineSeparator()
              : Render.summary(run));
    }
    return Exit.READY;
  }
}
