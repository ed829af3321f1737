package io.meshorch.mesh.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CaAgreementTest {
  private static final CiliumCa A = new CiliumCa("3f9a1c0d5e6b7a88".repeat(4));
  private static final CiliumCa B = new CiliumCa("77be0123aa45cc90".repeat(4));
  private static final CiliumCa C = new CiliumCa("0123456789abcdef".repeat(4));

  static Stream<Arguments> meshes() {
    return Stream.of(
        Arguments.of("one cluster", Map.of("east", A), null),
        Arguments.of("all the same", Map.of("east", A, "west", A, "north", A), null),
        Arguments.of(
            "two clusters, two CAs",
            Map.of("west", B, "east", A),
            "east holds 3F:9A:1C:0D:5E:6B:7A:88; west holds 77:BE:01:23:AA:45:CC:90"),
        Arguments.of(
            "grouped by CA, clusters and CAs in name order",
            Map.of("west", A, "north", B, "east", A),
            "east, west hold 3F:9A:1C:0D:5E:6B:7A:88; north holds 77:BE:01:23:AA:45:CC:90"),
        Arguments.of(
            "three CAs",
            Map.of("west", A, "north", B, "east", C),
            "east holds 01:23:45:67:89:AB:CD:EF; north holds 77:BE:01:23:AA:45:CC:90;"
                + " west holds 3F:9A:1C:0D:5E:6B:7A:88"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("meshes")
  void namesWhichClustersHoldWhichCa(String name, Map<String, CiliumCa> cas, String holders) {
    Optional<String> reason = CaAgreement.mismatch("m1", cas);

    if (holders == null) {
      assertThat(reason).isEmpty();
    } else {
      assertThat(reason).get().asString().contains(": " + holders + ". ");
    }
  }

  @Test
  void saysWhatToDo() {
    String reason = CaAgreement.mismatch("m1", Map.of("east", A, "west", B)).orElseThrow();

    assertThat(reason)
        .isEqualTo(
            "the clusters hold 2 different Cilium CAs (Secret kube-system/cilium-ca, SHA-256 of"
                + " ca.crt): east holds 3F:9A:1C:0D:5E:6B:7A:88; west holds"
                + " 77:BE:01:23:AA:45:CC:90. Their agents would refuse each other's certificates,"
                + " so no cluster was connected. Keep one CA for the mesh as secret"
                + " meshes/m1/cilium-ca; on each cluster that holds another, delete Secret"
                + " kube-system/cilium-ca and secret"
                + " meshes/m1/clusters/<cluster>/clustermesh-apiserver-certs; then run up again");
  }

  @Test
  void fingerprintsTheCertificateAsOpensslDoes() {
    // sha256 of the three bytes "abc" (FIPS 180-2 example), as openssl prints a fingerprint.
    CiliumCa ca = CiliumCa.ofCertificate("abc".getBytes(StandardCharsets.US_ASCII));

    assertThat(ca.sha256())
        .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assertThat(ca.shortForm()).isEqualTo("BA:78:16:BF:8F:01:CF:EA");
  }

  @Test
  void refusesWhatIsNotASha256Fingerprint() {
    assertThatThrownBy(() -> new CiliumCa("BA:78:16")).isInstanceOf(IllegalArgumentException.class);
  }
}
