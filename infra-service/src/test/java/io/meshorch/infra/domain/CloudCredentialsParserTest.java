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
    assertThat(c.auth())
        .isEqualTo(new KeystoneAuth.Password("demo", "s3cr3t", "demo", null, "Users", "Projects"));
    assertThat(c.regionName()).isEqualTo("RegionOne");
    assertThat(c.tls()).isEqualTo(CloudTls.systemDefault());
  }

  @Test
  void defaultsDomainsAndAcceptsAProjectId() {
    CloudCredentials c = CloudCredentialsParser.fromCloudsYaml(CLOUDS, "minimal", "clouds.yaml");
    KeystoneAuth.Password p = (KeystoneAuth.Password) c.auth();

    assertThat(p.projectId()).isEqualTo("7ef1b7e264c14314a5fa45d32b8821dd");
    assertThat(p.userDomainName()).isEqualTo("Default");
    assertThat(p.projectDomainName()).isEqualTo("Default");
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
            CloudCredentials.password(
                "environment (OS_*)",
                "http://k:5000/v3",
                new KeystoneAuth.Password("demo", "pw", "demo", null, "Default", "Default"),
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

  private static final String APP_CREDS =
      """
      clouds:
        byid:
          auth_type: v3applicationcredential
          auth:
            auth_url: https://keystone.example.org:5000/v3
            application_credential_id: 21dced0fd20347869b93710d2b98aae0
            application_credential_secret: "app-s3cr3t"
            project_name: ignored-the-credential-has-its-project
          region_name: RegionOne
          cacert: /etc/ssl/private-ca.pem
        byname:
          auth_type: v3applicationcredential
          auth:
            auth_url: https://keystone.example.org:5000/v3
            application_credential_name: mesh-bot
            application_credential_secret: app-s3cr3t
            username: ops
            user_domain_name: Users
        byowner-id:
          auth_type: v3applicationcredential
          auth:
            auth_url: https://keystone.example.org:5000/v3
            application_credential_name: mesh-bot
            application_credential_secret: app-s3cr3t
            user_id: 48aa3f82931148f5a038064622dc326b
          verify: false
      """;

  @Test
  void readsAnApplicationCredentialById() {
    CloudCredentials c = CloudCredentialsParser.fromCloudsYaml(APP_CREDS, "byid", "clouds.yaml");

    assertThat(c.auth())
        .isEqualTo(
            new KeystoneAuth.ApplicationCredential(
                "21dced0fd20347869b93710d2b98aae0", null, "app-s3cr3t", null, null, null, null));
    assertThat(c.tls())
        .isEqualTo(
            new CloudTls("/etc/ssl/private-ca.pem", "clouds.yaml: clouds.byid.cacert", true, null));
    assertThat(c.toString()).doesNotContain("app-s3cr3t").contains("secret=****");
  }

  @Test
  void readsAnApplicationCredentialByNameWithItsOwner() {
    CloudCredentials byName =
        CloudCredentialsParser.fromCloudsYaml(APP_CREDS, "byname", "clouds.yaml");
    CloudCredentials byOwnerId =
        CloudCredentialsParser.fromCloudsYaml(APP_CREDS, "byowner-id", "clouds.yaml");

    assertThat(byName.auth())
        .isEqualTo(
            new KeystoneAuth.ApplicationCredential(
                null, "mesh-bot", "app-s3cr3t", null, "ops", "Users", null));
    assertThat(byOwnerId.auth())
        .isEqualTo(
            new KeystoneAuth.ApplicationCredential(
                null,
                "mesh-bot",
                "app-s3cr3t",
                "48aa3f82931148f5a038064622dc326b",
                null,
                null,
                null));
    assertThat(byOwnerId.tls())
        .isEqualTo(new CloudTls(null, null, false, "clouds.yaml: clouds.byowner-id.verify=false"));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "{application_credential_id: i}"
            + "|c.yaml: clouds.x.auth.application_credential_secret (an application credential"
            + " authenticates with its secret)",
        "{application_credential_secret: s}"
            + "|c.yaml: clouds.x.auth.application_credential_id (or application_credential_name"
            + " with its owner)",
        "{application_credential_name: n, application_credential_secret: s}"
            + "|c.yaml: clouds.x.auth.user_id (or username with its domain): an application"
            + " credential given by name needs its owner",
        "{application_credential_name: n, application_credential_secret: s, username: u}"
            + "|c.yaml: clouds.x.auth.user_domain_name (or user_domain_id): the owner u of an"
            + " application credential given by name needs its domain",
      })
  void namesTheBrokenRuleOfAnApplicationCredential(String auth, String message) {
    String yaml =
        "clouds: {x: {auth_type: v3applicationcredential, auth: {auth_url: 'https://k/v3', "
            + auth.substring(1)
            + "}}";

    assertThatThrownBy(() -> CloudCredentialsParser.fromCloudsYaml(yaml, "x", "c.yaml"))
        .isInstanceOf(CloudCredentialsParser.InvalidCloudConfig.class)
        .hasMessageContaining(message);
  }

  @Test
  void rejectsAnAuthTypeItCannotUseNamingTheSupportedOnes() {
    String yaml = "clouds: {x: {auth_type: v3token, auth: {auth_url: 'https://k/v3'}}}";

    assertThatThrownBy(() -> CloudCredentialsParser.fromCloudsYaml(yaml, "x", "c.yaml"))
        .hasMessageContaining("c.yaml: clouds.x.auth_type is 'v3token'")
        .hasMessageContaining("password, v3password, v3applicationcredential");
  }

  @Test
  void mergesSecureYamlOverCloudsYamlPerCloud() {
    String clouds =
        """
        clouds:
          prod:
            auth_type: v3applicationcredential
            auth:
              auth_url: https://keystone.example.org:5000/v3
              application_credential_id: 21dced0f
              application_credential_secret: placeholder
            region_name: RegionOne
          other:
            auth: {auth_url: 'https://o/v3', username: u, password: p, project_name: pr}
        """;
    String secure =
        """
        clouds:
          prod:
            auth:
              application_credential_secret: from-secure
            cacert: /etc/openstack/prod-ca.pem
        """;

    CloudCredentials c =
        CloudCredentialsParser.fromCloudsYaml(
            clouds, "/etc/openstack/clouds.yaml", secure, "/etc/openstack/secure.yaml", "prod");

    KeystoneAuth.ApplicationCredential ac = (KeystoneAuth.ApplicationCredential) c.auth();
    assertThat(ac.id()).isEqualTo("21dced0f");
    assertThat(ac.secret()).isEqualTo("from-secure");
    assertThat(c.authUrl()).isEqualTo("https://keystone.example.org:5000/v3");
    assertThat(c.regionName()).isEqualTo("RegionOne");
    assertThat(c.tls().cacert()).isEqualTo("/etc/openstack/prod-ca.pem");
    assertThat(c.source())
        .isEqualTo("/etc/openstack/clouds.yaml + /etc/openstack/secure.yaml (cloud prod)");
  }

  @Test
  void takesTheSecretOnlyFromSecureYamlAndNamesBothFilesWhenSomethingIsMissing() {
    String clouds = "clouds: {prod: {auth: {auth_url: 'https://k/v3', username: u}}}";
    String secure = "clouds: {prod: {auth: {password: from-secure}}}";

    CloudCredentials withProject =
        CloudCredentialsParser.fromCloudsYaml(
            clouds.replace("username: u", "username: u, project_id: p1"),
            "clouds.yaml",
            secure,
            "secure.yaml",
            "prod");

    assertThat(((KeystoneAuth.Password) withProject.auth()).password()).isEqualTo("from-secure");
    assertThatThrownBy(
            () ->
                CloudCredentialsParser.fromCloudsYaml(
                    clouds, "clouds.yaml", secure, "secure.yaml", "prod"))
        .hasMessageContaining(
            "clouds.yaml + secure.yaml: clouds.prod.auth.project_name (or project_id)");
  }

  @Test
  void readsApplicationCredentialAndTlsVariables() {
    Map<String, String> env =
        Map.of(
            "OS_AUTH_TYPE", "v3applicationcredential",
            "OS_AUTH_URL", "https://k:5000/v3",
            "OS_APPLICATION_CREDENTIAL_NAME", "mesh-bot",
            "OS_APPLICATION_CREDENTIAL_SECRET", "app-s3cr3t",
            "OS_USERNAME", "ops",
            "OS_USER_DOMAIN_ID", "default",
            "OS_CACERT", "/etc/ssl/ca.pem",
            "OS_REGION_NAME", "RegionTwo");

    CloudCredentials c = CloudCredentialsParser.fromEnvironment(env);

    assertThat(c.auth())
        .isEqualTo(
            new KeystoneAuth.ApplicationCredential(
                null, "mesh-bot", "app-s3cr3t", null, "ops", null, "default"));
    assertThat(c.tls()).isEqualTo(new CloudTls("/etc/ssl/ca.pem", "OS_CACERT", true, null));
    assertThat(c.regionName()).isEqualTo("RegionTwo");
  }

  @Test
  void readsAnApplicationCredentialIdFromTheEnvironmentAndOsInsecure() {
    Map<String, String> env =
        Map.of(
            "OS_AUTH_TYPE", "v3applicationcredential",
            "OS_AUTH_URL", "https://k:5000/v3",
            "OS_APPLICATION_CREDENTIAL_ID", "21dced0f",
            "OS_APPLICATION_CREDENTIAL_SECRET", "app-s3cr3t",
            "OS_CACERT", "/etc/ssl/ca.pem",
            "OS_INSECURE", "true");

    CloudCredentials c = CloudCredentialsParser.fromEnvironment(env);

    assertThat(((KeystoneAuth.ApplicationCredential) c.auth()).id()).isEqualTo("21dced0f");
    assertThat(c.tls()).isEqualTo(new CloudTls(null, null, false, "OS_INSECURE=true"));
  }

  @Test
  void namesTheMissingSecretVariableAndAMalformedInsecure() {
    Map<String, String> noSecret =
        Map.of(
            "OS_AUTH_TYPE", "v3applicationcredential",
            "OS_AUTH_URL", "https://k/v3",
            "OS_APPLICATION_CREDENTIAL_ID", "i");
    Map<String, String> badInsecure =
        Map.of(
            "OS_AUTH_URL", "https://k/v3",
            "OS_USERNAME", "u",
            "OS_PASSWORD", "p",
            "OS_PROJECT_ID", "p1",
            "OS_INSECURE", "maybe");

    assertThatThrownBy(() -> CloudCredentialsParser.fromEnvironment(noSecret))
        .hasMessageContaining(
            "missing OpenStack environment variable(s): OS_APPLICATION_CREDENTIAL_SECRET (an"
                + " application credential authenticates with its secret)");
    assertThatThrownBy(() -> CloudCredentialsParser.fromEnvironment(badInsecure))
        .hasMessageContaining("OS_INSECURE must be true or false, found 'maybe'");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "verify: false|false|clouds.yaml: clouds.x.verify=false",
        "insecure: true|false|clouds.yaml: clouds.x.insecure=true",
        "'verify: true'|true|",
        "'insecure: false'|true|",
      })
  void turnsVerificationOffOnlyWhenAsked(String setting, boolean verify, String why) {
    String yaml =
        "clouds:\n  x:\n    "
            + setting
            + "\n    cacert: /ca.pem\n    auth: {auth_url: 'https://k/v3', username: u,"
            + " password: p, project_id: p1}\n";

    CloudTls tls = CloudCredentialsParser.fromCloudsYaml(yaml, "x", "clouds.yaml").tls();

    assertThat(tls.verify()).isEqualTo(verify);
    assertThat(tls.verifySetting()).isEqualTo(why);
    assertThat(tls.cacert()).isEqualTo(verify ? "/ca.pem" : null);
  }

  private static CloudRateLimits rateLimits(String rateLimit) {
    String yaml =
        "clouds:\n  x:\n    "
            + rateLimit
            + "\n    auth: {auth_url: 'https://k/v3', username: u, password: p, project_id: p1}\n";
    return CloudCredentialsParser.fromCloudsYaml(yaml, "x", "clouds.yaml").rateLimits();
  }

  @Test
  void readsRateLimitAsOpenstacksdkDoesOneNumberForEachServiceOrOnePerServiceType() {
    CloudRateLimits none =
        CloudCredentialsParser.fromCloudsYaml(CLOUDS, "devstack", "clouds.yaml").rateLimits();
    assertThat(none.of("compute")).isEmpty();

    CloudRateLimits each = rateLimits("rate_limit: 2.5");
    assertThat(each.of("compute")).hasValue(2.5);
    assertThat(each.of("network")).hasValue(2.5);

    CloudRateLimits byType = rateLimits("rate_limit: {network: 10, compute: '4', image: 1}");
    assertThat(byType.of("network")).hasValue(10);
    assertThat(byType.of("compute")).hasValue(4);
    assertThat(byType.of("orchestration")).as("a service left out is not limited").isEmpty();

    assertThat(rateLimits("rate_limit: 0").of("compute")).as("0: no limit").isEmpty();
  }

  @Test
  void takesRateLimitFromSecureYamlOverCloudsYaml() {
    String secure = "clouds:\n  devstack:\n    rate_limit: {network: 3}\n";
    CloudRateLimits limits =
        CloudCredentialsParser.fromCloudsYaml(
                CLOUDS + "    rate_limit: 9\n", "clouds.yaml", secure, "secure.yaml", "minimal")
            .rateLimits();
    assertThat(limits.of("network")).as("minimal has its own 9").hasValue(9);

    CloudRateLimits merged =
        CloudCredentialsParser.fromCloudsYaml(
                CLOUDS, "clouds.yaml", secure, "secure.yaml", "devstack")
            .rateLimits();
    assertThat(merged.of("network")).hasValue(3);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "rate_limit: fast|clouds.yaml: clouds.x.rate_limit must be a number of calls per second|fast",
        "rate_limit: -1|clouds.yaml: clouds.x.rate_limit must be a number of calls per second|-1",
        "'rate_limit: {network: ten}'|clouds.yaml: clouds.x.rate_limit.network must be a number|ten",
        "'rate_limit: [1, 2]'|clouds.yaml: clouds.x.rate_limit must be a number|[1, 2]",
        "'rate_limit: .inf'|clouds.yaml: clouds.x.rate_limit must be a number|Infinity",
      })
  void namesTheRateLimitThatIsNotANumberOfCallsPerSecond(
      String setting, String message, String found) {
    assertThatThrownBy(() -> rateLimits(setting))
        .isInstanceOf(CloudCredentialsParser.InvalidCloudConfig.class)
        .hasMessageContaining(message)
        .hasMessageContaining("found '" + found + "'");
  }
}
