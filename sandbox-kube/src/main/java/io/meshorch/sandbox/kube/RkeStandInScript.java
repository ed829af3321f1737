package io.meshorch.sandbox.kube;

import io.meshorch.sandbox.kube.rke.RkeStandIn;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Writes the sandbox's {@code rke} executable: a POSIX sh script that runs {@link RkeStandIn} on
 * this JVM's {@code java}.
 *
 * <p>The stand-in uses only the JDK, so its one class file is copied into {@code dir/.rke-standin/}
 * and the script runs it from there: it works whatever the class path of the process that started
 * the sandbox (plain class path, test fork with a manifest jar, fat jar), and starts in a fraction
 * of a second.
 */
public final class RkeStandInScript {
  private RkeStandInScript() {}

  /**
   * Writes (or overwrites) {@code dir/rke} and returns its path. The script talks to {@code
   * control} unless the environment variable {@code MESH_SANDBOX_RKE_URL} is set when it runs.
   *
   * @param dir the folder of the executable (created if missing)
   * @param control the URL of the running sandbox's RKE endpoint ({@link
   *     SandboxKube#rkeControlUrl})
   */
  public static Path write(Path dir, URI control) throws IOException {
    Files.createDirectories(dir);
    Path classes = dir.resolve(".rke-standin");
    String resource = RkeStandIn.class.getName().replace('.', '/') + ".class";
    Path target = classes.resolve(resource);
    Files.createDirectories(target.getParent());
    try (InputStream in = RkeStandIn.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IOException("cannot read " + resource + " from the class path");
      }
      Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
    }
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String text =
        "#!/bin/sh\n"
            + "# The sandbox's stand-in for Rancher RKE1: checks cluster.yml like `rke up` and brings\n"
            + "# up a Kubernetes API server for it in the running sandbox.\n"
            + "exec "
            + quote(java)
            + " -Xshare:auto -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp "
            + quote(classes.toAbsolutePath().toString())
            + " "
            + RkeStandIn.class.getName()
            + " --control \"${"
            + RkeStandIn.CONTROL_ENV
            + ":-"
            + control
            + "}\" \"$@\"\n";
    Path script = dir.resolve("rke");
    Files.writeString(script, text, StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-x---"));
    return script;
  }

  private static String quote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }
}
