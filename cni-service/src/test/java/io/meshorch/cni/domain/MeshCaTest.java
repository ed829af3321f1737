package io.meshorch.cni.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MeshCaTest {
  static final String CERT = "-----BEGIN CERTIFICATE-----\nQUJD\n-----END CERTIFICATE-----\n";
  static final String KEY = "-----BEGIN PRIVATE KEY-----\nc2VjcmV0\n-----END PRIVATE KEY-----\n";

  @Test
  void roundTripsThroughItsSecretStoreValue() {
    MeshCa ca = new MeshCa(CERT, KEY);

    assertThat(MeshCa.decode(ca.encode())).isEqualTo(ca);
    assertThat(new String(ca.encode(), StandardCharsets.UTF_8)).isEqualTo(CERT + KEY);
  }

  @Test
  void matchesTheSameCaWrittenWithOtherLineEndings() {
    MeshCa ca = new MeshCa(CERT, KEY);

    assertThat(ca.matches(CERT.replace("\n", "\r\n"), KEY.strip())).isTrue();
    assertThat(ca.matches(CERT, KEY.replace("c2VjcmV0", "b3RoZXI="))).isFalse();
    assertThat(ca.matches(CERT, null)).isFalse();
  }

  @Test
  void neverShowsTheKey() {
    assertThat(new MeshCa(CERT, KEY).toString()).doesNotContain("c2VjcmV0").doesNotContain("QUJD");
  }

  @Test
  void refusesAValueWithoutKeyWithoutQuotingIt() {
    assertThatThrownBy(() -> MeshCa.decode(CERT.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageNotContaining("QUJD");
    assertThatThrownBy(() -> new MeshCa(KEY, CERT)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void namesItsSecretAfterTheMesh() {
    assertThat(MeshCa.secretRef("demo")).isEqualTo("meshes/demo/cilium-ca");
  }
}
