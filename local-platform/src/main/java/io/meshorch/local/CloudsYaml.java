package io.meshorch.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** Writes the {@code clouds.yaml} of the sandbox cloud, as an operator's would look (0600). */
final class CloudsYaml {
  private CloudsYaml() {}

  static Path write(
      Path file, String cloud, String authUrl, String user, String password, String project)
      throws IOException {
    String yaml =
        """
        # Written by meshctl local mode for its sandbox cloud. Point infra-service at a real
        # cloud with your own clouds.yaml (mesh.openstack.clouds-file, mesh.openstack.cloud).
        clouds:
          %s:
            auth:
              auth_url: %s
              username: %s
              password: %s
              project_name: %s
              user_domain_name: Default
              project_domain_name: Default
            region_name: RegionOne
            identity_api_version: 3
        """
            .formatted(cloud, authUrl, user, password, project);
    Files.deleteIfExists(file);
    Files.createFile(
        file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(file, yaml, StandardCharsets.UTF_8);
    return file;
  }
}
