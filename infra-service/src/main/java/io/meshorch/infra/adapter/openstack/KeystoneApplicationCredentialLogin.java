package io.meshorch.infra.adapter.openstack;

import io.meshorch.infra.domain.CloudCredentials;
import io.meshorch.infra.domain.KeystoneAuth.ApplicationCredential;
import io.meshorch.kit.failure.TerminalFailure;
import io.meshorch.kit.failure.TransientFailure;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.openstack4j.core.transport.ObjectMapperSingleton;
import org.openstack4j.model.identity.v3.Token;
import org.openstack4j.openstack.identity.v3.domain.KeystoneToken;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Authenticates with an application credential, which openstack4j 3.12 cannot do (its identity
 * methods are password and token only): {@code POST <auth_url>/auth/tokens} with the body of
 * Keystone's API reference ({@code identity.methods: ["application_credential"]}, the credential by
 * ID, or by name with its owner) and no scope, since the credential is scoped to its own project
 * and Keystone refuses any other. The answer becomes an openstack4j {@link Token} (the body's
 * token, catalog included, with the {@code X-Subject-Token} as its ID), which {@link
 * OpenstackSession} hands to openstack4j as it does a password token. Timeouts are the session's; a
 * transient failure is retried by the kit's step retry, as every other OpenStack call.
 */
final class KeystoneApplicationCredentialLogin {
  private final JsonMapper json = JsonMapper.builder().build();

  /** A fresh token for {@code cloud}, whose auth is {@code credential}. */
  Token authenticate(
      CloudCredentials cloud,
      ApplicationCredential credential,
      Duration readTimeout,
      OpenstackSession session) {
    String what = "authenticate with " + credential.principal() + " at " + cloud.authUrl();
    URI uri = URI.create(cloud.authUrl().replaceAll("/+$", "") + "/auth/tokens");
    HttpRequest request =
        HttpRequest.newBuilder(uri)
            .timeout(readTimeout)
            .header("Content-Type", "application/json")
            .header("Accept", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body(credential))))
            .build();
    HttpResponse<String> response;
    try {
      response = session.send(null, what, request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw session.ioFailure(what, uri, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TransientFailure("INTERRUPTED", what + ": interrupted", e);
    }
    int status = response.statusCode();
    if (status == 401) {
      throw new TerminalFailure(
          "OPENSTACK_AUTH_FAILED",
          what
              + ": Keystone refused the application credential (401: "
              + keystoneMessage(response.body())
              + "); check its secret, that it exists and has not expired, and its owner");
    }
    if (status != 201) {
      throw Openstack4jFailures.byStatus(what, status, keystoneMessage(response.body()), null);
    }
    String subjectToken = response.headers().firstValue("X-Subject-Token").orElse(null);
    if (subjectToken == null) {
      throw new TerminalFailure(
          "OPENSTACK_AUTH_FAILED", what + ": Keystone answered 201 without X-Subject-Token");
    }
    KeystoneToken token;
    try {
      token =
          ObjectMapperSingleton.getContext(KeystoneToken.class)
              .readerFor(KeystoneToken.class)
              .readValue(response.body());
    } catch (IOException e) {
      throw new TerminalFailure(
          "OPENSTACK_REJECTED", what + ": Keystone's token is not readable: " + e.getMessage(), e);
    }
    token.setId(subjectToken);
    token.setEndpoint(cloud.authUrl());
    return token;
  }

  /** The request body of Keystone's API reference; never log it (it holds the secret). */
  static Map<String, Object> body(ApplicationCredential credential) {
    Map<String, Object> ac = new LinkedHashMap<>();
    if (credential.id() != null) {
      ac.put("id", credential.id());
    } else {
      ac.put("name", credential.name());
    }
    ac.put("secret", credential.secret());
    if (credential.id() == null) {
      Map<String, Object> user = new LinkedHashMap<>();
      if (credential.userId() != null) {
        user.put("id", credential.userId());
      } else {
        user.put("name", credential.username());
        user.put(
            "domain",
            credential.userDomainId() != null
                ? Map.of("id", credential.userDomainId())
                : Map.of("name", credential.userDomainName()));
      }
      ac.put("user", user);
    }
    Map<String, Object> identity = new LinkedHashMap<>();
    identity.put("methods", List.of("application_credential"));
    identity.put("application_credential", ac);
    return Map.of("auth", Map.of("identity", identity));
  }

  private String keystoneMessage(String body) {
    try {
      JsonNode message = json.readTree(body).path("error").path("message");
      return message.isString() ? message.asString() : body;
    } catch (RuntimeException e) {
      return body;
    }
  }
}
