package io.meshorch.sandbox.kube;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** Writes the {@code rke} executable of the sandbox: a script running {@code RkeStandIn}. */
public final class RkeStandInScript {
  private RkeStandInScript() {}

  /**
   * Writes {@code dir/rke}, which runs the stand-in on this JVM's Java and class path against
   * {@code control} (overridable with the {@code MESH_SANDBOX_RKE_URL} environment variable).
   */
  public static Path write(Path dir, URI control) throws IOException {
    Files.createDirectories(dir);
    Path script = dir.resolve("rke");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String text =
        "#!/bin/sh\n"
            + "# The sandbox's stand-in for Rancher RKE: validates cluster.yml like `rke up` and\n"
            + "# brings up a Kubernetes API server for it in the running sandbox.\n"
            + "exec '"
            + java
            + "' -Xshare:auto -XX:TieredStopAtLevel=1 -cp '"
            + System.getProperty("java.class.path")
            + "' io.meshorch.sandbox.kube.rke.RkeStandIn --control \"${MESH_SANDBOX_RKE_URL:-"
            + control
            + "}\" \"$@\"\n";
    Files.writeString(script, text, StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-x---"));
    return script;
  }
}
