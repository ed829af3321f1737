package io.meshorch.rke.domain;

import java.util.Locale;
import java.util.Optional;

/**
 * The commands that tell whether a freshly booted node is ready for the deployer, and how to read
 * their answers. A node is ready once cloud-init finished and the Docker daemon answers with its
 * version to the SSH user. Both commands answer at once (neither waits on the node), so a check
 * never holds a thread for longer than one round trip.
 */
public final class NodeChecks {
  /**
   * Prints cloud-init's state at once: {@code status: running} while it works, {@code status: done}
   * when it finished, {@code status: error} when it failed. Deliberately without {@code --wait},
   * which blocks until cloud-init finished (minutes on a real VM).
   */
  public static final String CLOUD_INIT = "cloud-init status";

  /** Prints the Docker daemon's version; fails while the daemon does not answer. */
  public static final String DOCKER = "docker version --format '{{.Server.Version}}'";

  private static final int MAX_DETAIL = 200;

  /** What {@code cloud-init status} reported. */
  public enum CloudInit {
    /** Finished (possibly with recoverable errors), or cloud-init is disabled on the image. */
    DONE,
    /** Failed: the node will not become usable by waiting. */
    ERROR,
    /** Still running or not started, or the answer was not understood (yet). */
    RUNNING
  }

  /**
   * A node's cloud-init state and what it said.
   *
   * @param state the state
   * @param detail the status line, or what the command printed when it was not understood
   */
  public record CloudInitStatus(CloudInit state, String detail) {}

  /**
   * What {@code docker version} told.
   *
   * @param version the daemon's version, or null when it did not answer
   * @param problem why the node is not ready, or null when it is
   */
  public record DockerStatus(String version, String problem, boolean accessDenied) {
    /** True when the daemon answered with its version. */
    public boolean ready() {
      return version != null;
    }
  }

  private NodeChecks() {}

  /**
   * Reads the answer to {@link #CLOUD_INIT} (or to {@code cloud-init status --wait}, which prints
   * progress dots first). The status line decides, not the exit code: cloud-init 23.4 and later
   * exit with 2 when done with recoverable errors, and with 1 on {@code status: error}.
   */
  public static CloudInitStatus cloudInit(CommandResult result) {
    for (String raw : result.stdout().split("\\R")) {
      String line = raw.strip().replaceFirst("^\\.+", "");
      if (!line.startsWith("status:")) {
        continue;
      }
      String status = line.substring("status:".length()).strip().toLowerCase(Locale.ROOT);
      CloudInit state =
          switch (status) {
            case "done", "disabled" -> CloudInit.DONE;
            case "error" -> CloudInit.ERROR;
            default -> CloudInit.RUNNING;
          };
      return new CloudInitStatus(state, cut(line));
    }
    String said = firstLine(result.stderr().isBlank() ? result.stdout() : result.stderr());
    return new CloudInitStatus(
        CloudInit.RUNNING,
        "cloud-init status exited " + result.exitStatus() + " without a status line: " + said);
  }

  /**
   * Reads the answer to {@link #DOCKER}. A daemon that is not up yet ({@code Cannot connect to the
   * Docker daemon ...}, exit 1) or no docker at all (exit 127) mean "not ready", each with its
   * reason. A user outside the docker group ({@code permission denied while trying to connect to
   * the Docker daemon socket ...}) is flagged {@link DockerStatus#accessDenied}: asked once
   * cloud-init is done, it will not change by waiting.
   */
  public static DockerStatus docker(CommandResult result) {
    String version = result.stdout().strip();
    if (result.succeeded()
        && !version.isEmpty()
        && !version.contains("\n")
        && !version.contains("<no value>")) {
      return new DockerStatus(version, null, false);
    }
    String output = result.stderr() + "\n" + result.stdout();
    Optional<String> denied = lineWith(output, "permission denied");
    Optional<String> down = lineWith(output, "cannot connect to the docker daemon");
    String said = firstLine(result.stderr().isBlank() ? result.stdout() : result.stderr());
    String problem;
    if (denied.isPresent()) {
      // Docker's line goes on with the API URL and dial error; the words before ": Get" say it.
      problem =
          "the SSH user cannot reach the Docker socket: " + denied.get().split(": Get ", 2)[0];
    } else if (down.isPresent()) {
      problem = "the Docker daemon does not answer yet: " + down.get();
    } else if (result.exitStatus() == 127) {
      problem = "docker is not installed yet: " + said;
    } else {
      problem = "docker version exited " + result.exitStatus() + ": " + said;
    }
    return new DockerStatus(null, problem, denied.isPresent());
  }

  private static Optional<String> lineWith(String text, String phrase) {
    return text.lines()
        .map(String::strip)
        .filter(l -> l.toLowerCase(Locale.ROOT).contains(phrase))
        .findFirst()
        .map(NodeChecks::cut);
  }

  private static String firstLine(String text) {
    return cut(text.strip().lines().findFirst().orElse("(no output)"));
  }

  private static String cut(String line) {
    return line.length() > MAX_DETAIL ? line.substring(0, MAX_DETAIL) + "…" : line;
  }
}
