package io.meshorch.infra.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshorch.infra.domain.CloudCredentialsParser.InvalidCloudConfig;
import io.meshorch.infra.domain.KeystoneAuth;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CloudCredentialsSourceTest {
  @TempDir Path dir;

  private static OpenstackProperties props(String cloudsFile, String cloud) {
    return props(cloudsFile, null, cloud);
  }

  private static OpenstackProperties props(String cloudsFile, String secureFile, String cloud) {
    return new OpenstackProperties(
        cloudsFile,
        secureFile,
        cloud,
        Duration.ofSeconds(10),
        Duration.ofSeconds(30),
        Duration.ofMinutes(5),
        0,
        10,
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
    assertThat(((KeystoneAuth.Password) credentials.auth()).projectId()).isEqualTo("id1");
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

  private Path cloudsWithoutPassword() throws Exception {
    return Files.writeString(
        dir.resolve("clouds.yaml"),
        "clouds:\n  c1:\n    auth: {auth_url: 'http://k/v3', username: u, project_name: pr}\n");
  }

  @Test
  void mergesTheFirstSecureYamlOfTheSearchPath() throws Exception {
    Path clouds = cloudsWithoutPassword();
    Path cwd = Files.createDirectories(dir.resolve("cwd"));
    Path userDir = Files.createDirectories(dir.resolve("home/.config/openstack"));
    Files.writeString(
        userDir.resolve("secure.yaml"), "clouds: {c1: {auth: {password: from-home}}}");
    Files.writeString(
        dir.resolve("home/.config/openstack/secure.yml"), "clouds: {c1: {auth: {password: no}}}");

    var credentials =
        new CloudCredentialsSource(props(clouds.toString(), "c1"), Map.of(), List.of(cwd, userDir))
            .get();

    assertThat(((KeystoneAuth.Password) credentials.auth()).password()).isEqualTo("from-home");
    assertThat(credentials.source())
        .isEqualTo(clouds + " + " + userDir.resolve("secure.yaml") + " (cloud c1)");
  }

  @Test
  void theNamedSecureFileWinsOverTheSearchPathAndMustExist() throws Exception {
    Path clouds = cloudsWithoutPassword();
    Path named =
        Files.writeString(dir.resolve("s.yaml"), "clouds: {c1: {auth: {password: named}}}");
    Files.writeString(dir.resolve("secure.yaml"), "clouds: {c1: {auth: {password: searched}}}");
    Path absent = dir.resolve("absent.yaml");

    var credentials =
        new CloudCredentialsSource(
                props(clouds.toString(), named.toString(), "c1"), Map.of(), List.of(dir))
            .get();

    assertThat(((KeystoneAuth.Password) credentials.auth()).password()).isEqualTo("named");
    assertThatThrownBy(
            () ->
                new CloudCredentialsSource(
                        props(clouds.toString(), absent.toString(), "c1"), Map.of(), List.of(dir))
                    .get())
        .isInstanceOf(InvalidCloudConfig.class)
        .hasMessageContaining("mesh.openstack.secure-file (OS_CLIENT_SECURE_FILE) names " + absent);
  }

  @Test
  void searchesTheCurrentDirectoryThenXdgConfigHomeThenEtcOpenstack() {
    List<Path> path = CloudCredentialsSource.defaultSearchPath(Map.of("XDG_CONFIG_HOME", "/cfg"));

    assertThat(path)
        .containsExactly(
            Path.of("").toAbsolutePath(), Path.of("/cfg/openstack"), Path.of("/etc/openstack"));
  }
}
