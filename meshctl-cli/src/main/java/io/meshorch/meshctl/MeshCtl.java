package io.meshorch.meshctl;

import io.meshorch.meshctl.cli.BenchCommand;
import io.meshorch.meshctl.cli.DownCommand;
import io.meshorch.meshctl.cli.Exit;
import io.meshorch.meshctl.cli.LocalStartCommand;
import io.meshorch.meshctl.cli.SandboxCommand;
import io.meshorch.meshctl.cli.ServeCommand;
import io.meshorch.meshctl.cli.StatusCommand;
import io.meshorch.meshctl.cli.UpCommand;
import io.meshorch.meshctl.cli.ValidateCommand;
import io.meshorch.meshctl.cli.WatchCommand;
import io.meshorch.meshctl.local.DataDirInUseException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ScopeType;

/** {@code meshctl}: build Cilium cluster meshes on OpenStack from one request. */
@Command(
    name = "meshctl",
    // Inherited: every command answers --help (and --version).
    scope = ScopeType.INHERIT,
    mixinStandardHelpOptions = true,
    version = "meshctl 0.1.0",
    description = "Builds Cilium cluster meshes on OpenStack: one request, N clusters.",
    subcommands = {
      UpCommand.class,
      DownCommand.class,
      ServeCommand.class,
      ValidateCommand.class,
      StatusCommand.class,
      WatchCommand.class,
      SandboxCommand.class,
      BenchCommand.class,
      LocalStartCommand.class,
      CommandLine.HelpCommand.class
    })
public final class MeshCtl {
  private MeshCtl() {}

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs meshctl with {@code args} and returns the exit code (0 ready, 1 failed, 2 rejected). */
  public static int run(String... args) {
    return new CommandLine(new MeshCtl())
        .setExecutionExceptionHandler(
            (e, commandLine, parseResult) -> {
              if (e instanceof DataDirInUseException) {
                commandLine.getErr().println("meshctl: " + e.getMessage());
                return Exit.FAILED;
              }
              throw e;
            })
        .execute(args);
  }
}
