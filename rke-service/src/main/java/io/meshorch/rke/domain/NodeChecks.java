package io.meshorch.rke.domain;

import java.util.Optional;

/**
 * The commands that tell whether a freshly booted node is ready for RKE, and how to read their
 * answers. A node is ready once cloud-init finished ({@code status: done}) and the Docker daemon
 * answers with its version.
 */
public final class NodeChecks {
  /** Blocks on the node until cloud-init finished, then prints its status. */
  public static final String CLOUD_INIT = "cloud-init status --wait";

  /** Prints the Docker daemon's version; fails while the daemon is not up. */
  public static final String DOCKER = "docker version --format '{{.Server.Version}}'";

  /** What {@code cloud-init status} reported. */
  public enum CloudInit {
    /** Finished successfully. */
    DONE,
    /** Failed: the node will not become usable by waiting. */
    ERROR,
    /** Still running, or the answer was not understood yet. */
    RUNNING
  }

  private NodeChecks() {}

  /** Reads the output of {@link #CLOUD_INIT}. */
  public static CloudInit cloudInit(CommandResult result) {
    for (String line : result.stdout().split("\\R")) {
      String status = line.trim();
      if (status.equals("status: done")) {
        return CloudInit.DONE;
      }
      if (status.equals("status: error")) {
        return CloudInit.ERROR;
      }
    }
    return CloudInit.RUNNING;
  }

  /** The Docker server version from the output of {@link #DOCKER}, if the daemon answered. */
  public static Optional<String> dockerVersion(CommandResult result) {
    String version = result.stdout().trim();
    if (!result.succeeded() || version.isEmpty() || version.contains("\n")) {
      return Optional.empty();
    }
    return Optional.of(version);
  }
}
