package io.meshorch.infra;

import io.meshorch.sandbox.openstack.SandboxCloud;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.function.UnaryOperator;
import org.apache.sshd.common.config.keys.PublicKeyEntry;

/**
 * A sandbox cloud for a service test, and the clouds.yaml (entry {@code sandbox}) that points
 * infra-service at it, in a folder of its own.
 *
 * @param cloud the started cloud
 * @param dir the folder holding {@code clouds.yaml}
 */
record SandboxCloudFixture(SandboxCloud cloud, Path dir) {
  private static final String PASSWORD = "it-pa55";

  /** Starts a cloud whose stacks take {@code stackDelay}, with {@code more} of its settings. */
  static SandboxCloudFixture start(
      String name, Duration stackDelay, UnaryOperator<SandboxCloud.Builder> more) {
    try {
      // under target/: a static fixture has no test to delete it, and the machine's /tmp would
      // keep one folder per run
      Path dir =
          Files.createTempDirectory(Files.createDirectories(Path.of("target", "tmp")), name)
              .toAbsolutePath();
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(256);
      int sshPort;
      try (ServerSocket socket = new ServerSocket(0)) {
        sshPort = socket.getLocalPort();
      }
      SandboxCloud cloud =
          more.apply(
                  SandboxCloud.builder()
                      .bindAddress("127.0.0.1")
                      .port(0)
                      .credentials("demo", PASSWORD, "demo", "Default")
                      .stackCreateDelay(stackDelay)
                      .vmBootDelay(Duration.ofMillis(300))
                      .vmSubnet("127.10.0.0/16")
                      .vmSshPort(sshPort)
                      .keypair(
                          "mesh", PublicKeyEntry.toString(generator.generateKeyPair().getPublic())))
              .build()
              .start();
      Files.writeString(
          dir.resolve("clouds.yaml"),
          "clouds:\n  sandbox:\n    auth:\n      auth_url: "
              + cloud.identityUrl()
              + "\n      username: demo\n      password: "
              + PASSWORD
              + "\n      project_name: demo\n"
              + "      user_domain_name: Default\n      project_domain_name: Default\n"
              + "    region_name: RegionOne\n");
      return new SandboxCloudFixture(cloud, dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  Path cloudsYaml() {
    return dir.resolve("clouds.yaml");
  }
}
