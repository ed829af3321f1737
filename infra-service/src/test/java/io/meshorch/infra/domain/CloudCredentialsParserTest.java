package io.meshorch.infra.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CloudCredentialsParserTest {
  private static final String CLOUDS =
      """
      clouds:
        devstack:
          auth:
            auth_url: http://127.0.0.1:5000/v3
            username: demo
            password: "s3cr3t"
            project_name: demo
            user_domain_name: Users
            project_domain_name: Projects
          region_name: RegionOne
          interface: public
        minimal:
          auth:
            auth_url: https://keystone.example.org/v3
            username: ops
            password: pw
            project_id: 7ef1b7e264c14314a5fa45d32b8821dd
      """;

  @Test
  void readsACloudFromCloudsYaml() {
    CloudCredentials c = CloudCredentialsParser.fromCloudsYaml(CLOUDS, "devstack", "clouds.yaml");

    assertThat(c.authUrl()).isEqualTo("http://127.0.0.1:5000/v3");
    assertThat(c.username()).isEqualTo("demo");
    assertThat(c.password()).isEqualTo("s3cr3t");
    assertThat(c.projectName()).isEqualTo("demo");
    assertThat(c.projectId()).isNull();
    assertThat(c.userDomainName()).isEqualTo("Users");
    assertThat(c.projectDomainName()).isEqualTo("Projects");
    assertThat(c.regionName()).isEqualTo("RegionOne");
  }

  @Test
  void defaultsDomainsAndAcceptsAProjectId() {
    CloudCredentials c = CloudCredentialsParser.fromCloudsYaml(CLOUDS, "minimal", "clouds.yaml");

    assertThat(c.projectId()).isEqualTo("7ef1b7e264c14314a5fa45d32b8821dd");
    assertThat(c.userDomainName()).isEqualTo("Default");
    assertThat(c.projectDomainName()).isEqualTo("Default");
    assertThat(c.regionName()).isNull();
  }

  @Test
  void neverShowsThePasswordInToString() {
    CloudCredentials c = CloudCredentialsParser.fromCloudsYaml(CLOUDS, "devstack", "clouds.yaml");

    assertThat(c.toString()).doesNotContain("s3cr3t").contains("password=****");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "clouds: {}|x|no cloud named 'x' under 'clouds'",
        "other: 1|x|clouds is required and must be a mapping",
        "'clouds: {x: {auth: {username: u}}}'|x|auth.auth_url, /etc/c.yaml: clouds.x.auth.password,"
            + " /etc/c.yaml: clouds.x.auth.project_name (or project_id)",
        "'clouds: {x: {region_name: r}}'|x|clouds.x.auth is required",
        "'clouds: [x'|x|is not valid YAML",
      })
  void namesTheMissingKey(String yaml, String cloud, String message) {
    assertThatThrownBy(() -> CloudCredentialsParser.fromCloudsYaml(yaml, cloud, "/etc/c.yaml"))
        .isInstanceOf(CloudCredentialsParser.InvalidCloudConfig.class)
        .hasMessageContaining(message);
  }

  @Test
  void readsTheOpenrcVariables() {
    Map<String, String> env =
        Map.of(
            "OS_AUTH_URL", "http://k:5000/v3",
            "OS_USERNAME", "demo",
            "OS_PASSWORD", "pw",
            "OS_PROJECT_NAME", "demo",
            "OS_USER_DOMAIN_NAME", "Default",
            "OS_PROJECT_DOMAIN_NAME", "Default",
            "OS_REGION_NAME", "RegionOne");

    CloudCredentials c = CloudCredentialsParser.fromEnvironment(env);

    assertThat(c)
        .isEqualTo(
            new CloudCredentials(
                "environment (OS_*)",
                "http://k:5000/v3",
                "demo",
                "pw",
                "demo",
                null,
                "Default",
                "Default",
                "RegionOne"));
  }

  @Test
  void namesEveryMissingVariable() {
    Map<String, String> env = new HashMap<>();
    env.put("OS_USERNAME", "demo");
    env.put("OS_PASSWORD", " ");

    assertThatThrownBy(() -> CloudCredentialsParser.fromEnvironment(env))
        .hasMessageContaining("OS_AUTH_URL, OS_PASSWORD, OS_PROJECT_NAME (or OS_PROJECT_ID)")
        .hasMessageContaining("mesh.openstack.clouds-file");
  }
}
