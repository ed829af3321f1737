package io.meshorch.meshctl.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshorch.meshctl.MeshCtl;
import io.meshorch.meshctl.cli.SandboxRateLimitOption.Limit;
import io.meshorch.sandbox.openstack.SandboxCloud;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code --sandbox-rate-limit}: what it accepts, what it refuses, and what the cloud then does. */
class SandboxRateLimitOptionTest {

  @Test
  void readsTheProjectsLimitAndEachServicesWithABurstOfOneSecondByDefault() {
    assertThat(SandboxRateLimitOption.parse(List.of("20/10,network=5", " compute=0.5 ")))
        .containsExactly(
            new Limit(null, 20, 10), new Limit("network", 5, 5), new Limit("compute", 0.5, 1));
  }

  @ParameterizedTest
  @ValueSource(strings = {"fast", "0", "-3", "5/0", "5/2/1", "network=", "image=5", "=5"})
  void refusesATokenNamingItAndTheRule(String token) {
    assertThatThrownBy(() -> SandboxRateLimitOption.parse(List.of(token)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'" + token + "'");
  }

  @Test
  void aCloudWithTheLimitsRefusesWhatGoesOverThem() throws Exception {
    SandboxRateLimitOption option = new SandboxRateLimitOption();
    option.specs.add("network=0.2/1");
    SandboxCloud cloud =
        SandboxCloud.builder()
            .bindAddress("127.0.0.1")
            .port(0)
            .credentials("demo", "s3cret", "demo", "Default")
            .build()
            .start();
    try {
      option.applyTo(cloud);
      HttpClient http = HttpClient.newHttpClient();
      List<Integer> neutron = new ArrayList<>();
      List<Integer> heat = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        // No token: the limit answers before Keystone's check, as a front end does.
        neutron.add(get(http, cloud.baseUrl() + "/neutron/v2.0/ports"));
        heat.add(get(http, cloud.baseUrl() + "/heat/v1/demo/stacks"));
      }

      assertThat(neutron).containsExactly(401, 429);
      assertThat(heat).containsExactly(401, 401);
    } finally {
      cloud.close();
    }
  }

  private static int get(HttpClient http, String url) throws Exception {
    return http.send(
            HttpRequest.newBuilder(URI.create(url)).GET().build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  @Test
  void upWithABadLimitIsAUsageErrorBeforeAnythingStarts(@TempDir Path dir) {
    String file = Path.of("..", "examples", "two-clusters.yaml").toString();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream stderr = System.err;
    int code;
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      code =
          MeshCtl.run(
              "up",
              "-f",
              file,
              "--data-dir",
              dir.resolve("local").toString(),
              "--sandbox-rate-limit",
              "network=fast");
    } finally {
      System.setErr(stderr);
    }

    assertThat(code).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("--sandbox-rate-limit: 'network=fast' is not [<service>=]<requests/s>");
    assertThat(dir.resolve("local")).doesNotExist();
  }
}
