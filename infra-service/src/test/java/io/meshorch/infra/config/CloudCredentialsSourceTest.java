package io.meshorch.infra.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshorch.infra.domain.CloudCredentialsParser.InvalidCloudConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CloudCredentialsSourceTest {
  @TempDir Path dir;

  private static OpenstackProperties props(String cloudsFile, String cloud) {
    return new OpenstackProperties(
        cloudsFile,
        cloud,
        Duration.ofSeconds(10),
        Duration.ofSeconds(30),
        Duration.ofMinutes(5),
        0,
        10);
  }

  @Test
  void readsTheConfiguredCloudFromTheCloudsFile() throws Exception {
    Path file = dir.resolve("clouds.yaml");
    Files.writeString(
        file,
        "clouds:\n  c1:\n    auth: {auth_url: 'http://k/v3', username: u, password: p,"
            + " project_name: pr}\n");

    var credentials = new CloudCredentialsSource(props(file.toString(), "c1"), Map.of()).get();

    assertThat(credentials.authUrl()).isEqualTo("http://k/v3");
    assertThat(credentials.source()).contains("clouds.yaml", "c1");
  }

  @Test
  void usesTheEnvironmentWhenNoCloudsFileIsSet() {
    Map<String, String> env =
        Map.of(
            "OS_AUTH_URL",
            "http://e/v3",
            "OS_USERNAME",
            "u",
            "OS_PASSWORD",
            "p",
            "OS_PROJECT_ID",
            "id1");

    var credentials = new CloudCredentialsSource(props("", "openstack"), env).get();

    assertThat(credentials.authUrl()).isEqualTo("http://e/v3");
    assertThat(credentials.projectId()).isEqualTo("id1");
  }

  @Test
  void namesThePropertyWhenTheCloudsFileCannotBeRead() {
    Path missing = dir.resolve("nope.yaml");

    assertThatThrownBy(
            () -> new CloudCredentialsSource(props(missing.toString(), "c1"), Map.of()).get())
        .isInstanceOf(InvalidCloudConfig.class)
        .hasMessageContaining("mesh.openstack.clouds-file")
        .hasMessageContaining(missing.toString());
  }
}
