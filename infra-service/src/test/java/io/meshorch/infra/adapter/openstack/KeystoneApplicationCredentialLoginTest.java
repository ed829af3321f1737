package io.meshorch.infra.adapter.openstack;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshorch.infra.domain.KeystoneAuth.ApplicationCredential;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** The request body is the one of Keystone's API reference, and never carries a scope. */
class KeystoneApplicationCredentialLoginTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private static String body(ApplicationCredential credential) {
    return JSON.writeValueAsString(KeystoneApplicationCredentialLogin.body(credential));
  }

  @Test
  void sendsTheCredentialByIdWithItsSecretAndNoScope() {
    String body = body(new ApplicationCredential("ac1", null, "s", null, null, null, null));

    assertThat(JSON.readTree(body))
        .isEqualTo(
            JSON.readTree(
                "{\"auth\":{\"identity\":{\"methods\":[\"application_credential\"],"
                    + "\"application_credential\":{\"id\":\"ac1\",\"secret\":\"s\"}}}}"));
  }

  @Test
  void sendsTheCredentialByNameWithItsOwner() {
    String byOwnerName =
        body(new ApplicationCredential(null, "bot", "s", null, "ops", "Users", null));
    String byOwnerDomainId =
        body(new ApplicationCredential(null, "bot", "s", null, "ops", null, "default"));
    String byOwnerId = body(new ApplicationCredential(null, "bot", "s", "u1", null, null, null));

    assertThat(JSON.readTree(byOwnerName).path("auth").path("identity"))
        .isEqualTo(
            JSON.readTree(
                "{\"methods\":[\"application_credential\"],\"application_credential\":"
                    + "{\"name\":\"bot\",\"secret\":\"s\",\"user\":{\"name\":\"ops\","
                    + "\"domain\":{\"name\":\"Users\"}}}}"));
    assertThat(
            JSON.readTree(byOwnerDomainId)
                .path("auth")
                .path("identity")
                .path("application_credential")
                .path("user")
                .path("domain"))
        .isEqualTo(JSON.readTree("{\"id\":\"default\"}"));
    assertThat(
            JSON.readTree(byOwnerId)
                .path("auth")
                .path("identity")
                .path("application_credential")
                .path("user"))
        .isEqualTo(JSON.readTree("{\"id\":\"u1\"}"));
    assertThat(JSON.readTree(byOwnerName).path("auth").has("scope")).isFalse();
  }
}
