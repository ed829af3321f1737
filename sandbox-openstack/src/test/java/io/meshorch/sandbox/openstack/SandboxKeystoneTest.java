package io.meshorch.sandbox.openstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Keystone's application-credential method and the HTTPS mode, driven with plain HTTP as Keystone's
 * API reference shows the calls.
 */
class SandboxKeystoneTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final String UNAUTHORIZED =
      "{\"error\":{\"code\":401,\"message\":\"The request you have made requires"
          + " authentication.\",\"title\":\"Unauthorized\"}}";

  private SandboxCloud cloud;

  @AfterEach
  void stop() {
    if (cloud != null) {
      cloud.close();
    }
  }

  private SandboxCloud start(SandboxCloud.Builder builder) {
    cloud = builder.applicationCredential("mesh-bot", "app-secret").build().start();
    return cloud;
  }

  private static HttpResponse<String> post(HttpClient http, String url, String body)
      throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url + "/auth/tokens"))
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String byId(String id, String secret) {
    return "{\"auth\":{\"identity\":{\"methods\":[\"application_credential\"],"
        + "\"application_credential\":{\"id\":\""
        + id
        + "\",\"secret\":\""
        + secret
        + "\"}}}}";
  }

  @Test
  void issuesAProjectScopedTokenForAnApplicationCredentialById() throws Exception {
    start(SandboxCloud.builder());
    HttpClient http = HttpClient.newHttpClient();
    String id = cloud.applicationCredentialId("mesh-bot");

    HttpResponse<String> response = post(http, cloud.identityUrl(), byId(id, "app-secret"));

    assertThat(response.statusCode()).isEqualTo(201);
    String token = response.headers().firstValue("X-Subject-Token").orElseThrow();
    JsonNode body = JSON.readTree(response.body()).path("token");
    assertThat(body.path("methods").get(0).asString()).isEqualTo("application_credential");
    assertThat(body.path("application_credential").path("id").asString()).isEqualTo(id);
    assertThat(body.path("application_credential").path("name").asString()).isEqualTo("mesh-bot");
    assertThat(body.path("project").path("name").asString()).isEqualTo("demo");
    assertThat(body.path("user").path("id").asString()).isEqualTo(cloud.userId());
    String heat = body.path("catalog").get(1).path("endpoints").get(0).path("url").asString();
    HttpResponse<String> stacks =
        http.send(
            HttpRequest.newBuilder(URI.create(heat + "/stacks"))
                .header("X-Auth-Token", token)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(stacks.statusCode()).isEqualTo(200);
  }

  @Test
  void acceptsAnApplicationCredentialByNameWithItsOwner() throws Exception {
    start(SandboxCloud.builder());
    HttpClient http = HttpClient.newHttpClient();
    String byUserName =
        "{\"auth\":{\"identity\":{\"methods\":[\"application_credential\"],"
            + "\"application_credential\":{\"name\":\"mesh-bot\",\"secret\":\"app-secret\","
            + "\"user\":{\"name\":\"demo\",\"domain\":{\"name\":\"Default\"}}}}}}";
    String byUserId =
        "{\"auth\":{\"identity\":{\"methods\":[\"application_credential\"],"
            + "\"application_credential\":{\"name\":\"mesh-bot\",\"secret\":\"app-secret\","
            + "\"user\":{\"id\":\""
            + cloud.userId()
            + "\"}}}}}";
    String otherOwner = byUserName.replace("\"demo\"", "\"someone\"");

    assertThat(post(http, cloud.identityUrl(), byUserName).statusCode()).isEqualTo(201);
    assertThat(post(http, cloud.identityUrl(), byUserId).statusCode()).isEqualTo(201);
    assertThat(post(http, cloud.identityUrl(), otherOwner).statusCode()).isEqualTo(401);
  }

  @Test
  void refusesAWrongSecretAndAnExplicitScopeAsKeystoneDoes() throws Exception {
    start(SandboxCloud.builder());
    HttpClient http = HttpClient.newHttpClient();
    String id = cloud.applicationCredentialId("mesh-bot");
    String scoped =
        byId(id, "app-secret")
            .replace(
                "}}}}",
                "}},\"scope\":{\"project\":{\"name\":\"demo\",\"domain\":{\"name\":\"Default\"}}}}}");

    HttpResponse<String> wrong = post(http, cloud.identityUrl(), byId(id, "not-the-secret"));
    HttpResponse<String> withScope = post(http, cloud.identityUrl(), scoped);

    for (HttpResponse<String> response : java.util.List.of(wrong, withScope)) {
      assertThat(response.statusCode()).isEqualTo(401);
      assertThat(JSON.readTree(response.body())).isEqualTo(JSON.readTree(UNAUTHORIZED));
      assertThat(response.headers().firstValue("WWW-Authenticate").orElseThrow())
          .startsWith("Keystone uri=");
      assertThat(response.headers().firstValue("X-Subject-Token")).isEmpty();
    }
  }

  @Test
  void servesHttpsTrustedOnlyWithItsOwnCa() throws Exception {
    start(SandboxCloud.builder().https());
    String body = byId(cloud.applicationCredentialId("mesh-bot"), "app-secret");

    assertThat(cloud.identityUrl()).startsWith("https://127.0.0.1:");
    assertThatThrownBy(() -> post(HttpClient.newHttpClient(), cloud.identityUrl(), body))
        .isInstanceOf(SSLHandshakeException.class);
    HttpClient trusting =
        HttpClient.newBuilder().sslContext(trusting(cloud.caCertificatePem())).build();
    HttpResponse<String> response = post(trusting, cloud.identityUrl(), body);
    assertThat(response.statusCode()).isEqualTo(201);
    assertThat(response.body()).contains("https://127.0.0.1:");
  }

  @Test
  void servesPlainHttpByDefault() {
    start(SandboxCloud.builder());

    assertThat(cloud.identityUrl()).startsWith("http://");
    assertThatThrownBy(cloud::caCertificatePem).isInstanceOf(IllegalStateException.class);
  }

  private static SSLContext trusting(String pem) throws Exception {
    Certificate ca =
        CertificateFactory.getInstance("X.509")
            .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    store.setCertificateEntry("ca", ca);
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(store);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, tmf.getTrustManagers(), null);
    return context;
  }
}
