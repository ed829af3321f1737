package io.meshorch.rke.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HostKeyPolicyTest {
  private static final String FP = "SHA256:" + "a".repeat(42) + "Q";
  private static final String FP2 = "SHA256:" + "B".repeat(43);

  @ParameterizedTest(name = "fingerprints [{0}], known_hosts {1} (readable {2}) -> {3}")
  @CsvSource(
      delimiter = ';',
      value = {
        "FP;           ;                 false; pinned",
        "FP,FP2;       /etc/known_hosts; true;  pinned",
        "FP;           /etc/known_hosts; false; pinned",
        ";             /etc/known_hosts; true;  known-hosts",
        ";             /etc/known_hosts; false; HOST_KEY_UNKNOWN",
        ";             ;                 false; HOST_KEY_UNKNOWN",
        "SHA256:short; /etc/known_hosts; true;  HOST_KEY_INVALID",
        "MD5:aa:bb;    ;                 false; HOST_KEY_INVALID",
      })
  void prefersPinnedFingerprintsThenKnownHostsAndOtherwiseRefuses(
      String fingerprints, String knownHosts, boolean readable, String expected) {
    List<String> fps =
        fingerprints == null
            ? List.of()
            : Arrays.stream(fingerprints.split(","))
                .map(f -> f.equals("FP") ? FP : f.equals("FP2") ? FP2 : f)
                .toList();
    Optional<Path> file = Optional.ofNullable(knownHosts).map(Path::of);

    if (expected.startsWith("HOST_KEY")) {
      assertThatThrownBy(() -> HostKeyPolicy.decide("node-0", fps, file, readable))
          .isInstanceOfSatisfying(
              UntrustedHostException.class, e -> assertThat(e.code()).isEqualTo(expected))
          .hasMessageContaining("node-0");
    } else if (expected.equals("pinned")) {
      assertThat(HostKeyPolicy.decide("node-0", fps, file, readable))
          .isEqualTo(new HostKeyTrust.Pinned(fps));
    } else {
      assertThat(HostKeyPolicy.decide("node-0", fps, file, readable))
          .isEqualTo(new HostKeyTrust.KnownHosts(Path.of("/etc/known_hosts")));
    }
  }

  @ParameterizedTest(name = "known_hosts {0}: message names {1}")
  @CsvSource({"/missing/known_hosts, not readable", ", mesh.ssh.known-hosts is not set"})
  void explainsWhyANodeCannotBeVerified(String knownHosts, String message) {
    assertThatThrownBy(
            () ->
                HostKeyPolicy.decide(
                    "node-1", List.of(), Optional.ofNullable(knownHosts).map(Path::of), false))
        .hasMessageContaining(message)
        .hasMessageContaining("sshHostKeyFingerprints");
  }
}
