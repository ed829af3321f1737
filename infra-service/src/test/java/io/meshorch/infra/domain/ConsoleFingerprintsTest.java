package io.meshorch.infra.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ConsoleFingerprintsTest {
  private static final String BLOCK =
      """
      [   12.345678] cloud-init[812]: Cloud-init v. 23.3.3 running 'modules:final'
      <14>Nov 25 00:10:01 ec2:
      -----BEGIN SSH HOST KEY FINGERPRINTS-----
      256 SHA256:4z3bLuR1eQk/+XyZ0abcDEF= root@mesh-m1-east-node-0 (ECDSA)
      ec2: 256 SHA256:Pp1xQ9aT7u8vWw root@mesh-m1-east-node-0 (ED25519)
      3072 SHA256:rsa+Key/9 root@mesh-m1-east-node-0 (RSA)
      -----END SSH HOST KEY FINGERPRINTS-----
      Cloud-init v. 23.3.3 finished.
      """;

  static Stream<Arguments> consoles() {
    return Stream.of(
        Arguments.of(
            BLOCK,
            Optional.of(
                List.of(
                    "SHA256:4z3bLuR1eQk/+XyZ0abcDEF=",
                    "SHA256:Pp1xQ9aT7u8vWw",
                    "SHA256:rsa+Key/9"))),
        Arguments.of("[    0.000000] Linux version 5.15\n", Optional.empty()),
        Arguments.of(null, Optional.empty()),
        Arguments.of(
            "-----BEGIN SSH HOST KEY FINGERPRINTS-----\n256 SHA256:abc root@x (ECDSA)\n",
            Optional.empty()),
        Arguments.of(
            "-----BEGIN SSH HOST KEY FINGERPRINTS-----\n-----END SSH HOST KEY FINGERPRINTS-----\n",
            Optional.of(List.of())),
        Arguments.of(
            BLOCK.replace("4z3bLuR1eQk/+XyZ0abcDEF=", "old")
                + "\nreboot\n"
                + "-----BEGIN SSH HOST KEY FINGERPRINTS-----\r\n256 SHA256:new root@x (ECDSA)\r\n"
                + "-----END SSH HOST KEY FINGERPRINTS-----\r\n",
            Optional.of(List.of("SHA256:new"))));
  }

  @ParameterizedTest
  @MethodSource("consoles")
  void readsTheLastCompleteBlock(String console, Optional<List<String>> expected) {
    assertThat(ConsoleFingerprints.parse(console)).isEqualTo(expected);
  }
}
