package io.meshorch.meshctl.cli;

import io.meshorch.contracts.Violation;
import io.meshorch.contracts.validation.MeshRequestValidator;
import io.meshorch.meshctl.follow.Render;
import io.meshorch.meshctl.spec.MeshFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code meshctl validate -f mesh.yaml}: the checks of a request, without sending it; when a bus
 * runs ({@code --bootstrap-server} or a {@code serve}), also the comparison {@code up} makes with
 * the mesh's last accepted request.
 */
@Command(
    name = "validate",
    description = "Check a mesh file against the mesh rules without creating anything (dry run).")
public final class ValidateCommand implements Callable<Integer> {
  @Option(
      names = {"-f", "--file"},
      required = true,
      description = "The mesh file (YAML).")
  Path file;

  @Mixin BusOptions bus;

  @Override
  public Integer call() {
    MeshFile.Parsed parsed = MeshFile.read(file);
    List<Violation> problems = new ArrayList<>(parsed.problems());
    if (problems.isEmpty()) {
      problems.addAll(new MeshRequestValidator().validate(parsed.meshId(), parsed.request()));
    }
    if (!problems.isEmpty()) {
      System.out.println(file + ": " + problems.size() + " problem(s)");
      System.out.println(Render.violations(problems));
      return Exit.REJECTED;
    }
    Optional<String> running = bus.running();
    if (running.isEmpty()) {
      System.err.println(
          "meshctl: not compared with the mesh's last request: no --bootstrap-server and no"
              + " running meshctl serve (validate starts no local mode)");
    } else if (!HistoryCheck.changes(running.get(), parsed, System.out).isEmpty()) {
      return Exit.REJECTED;
    }
    System.out.println(
        file
            + ": mesh "
            + parsed.meshId()
            + " with "
            + parsed.request().clusters().size()
            + " clusters is valid");
    return Exit.READY;
  }
}
