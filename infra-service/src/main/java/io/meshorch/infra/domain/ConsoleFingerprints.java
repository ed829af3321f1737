package io.meshorch.infra.domain;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the SSH host-key fingerprints cloud-init prints on a server's console:
 *
 * <pre>
 * -----BEGIN SSH HOST KEY FINGERPRINTS-----
 * 256 SHA256:4z3b... root@host (ECDSA)
 * 256 SHA256:Pp1x... root@host (ED25519)
 * -----END SSH HOST KEY FINGERPRINTS-----
 * </pre>
 *
 * Console lines may carry a prefix (a kernel time stamp or {@code ci-info:}), which is ignored.
 */
public final class ConsoleFingerprints {
  static final String BEGIN = "-----BEGIN SSH HOST KEY FINGERPRINTS-----";
  static final String END = "-----END SSH HOST KEY FINGERPRINTS-----";
  private static final Pattern LINE = Pattern.compile("\\b\\d+\\s+(SHA256:\\S+)");

  private ConsoleFingerprints() {}

  /**
   * The fingerprints ({@code SHA256:<base64>}) of the last complete block in {@code console}, in
   * printed order; empty when no complete block was printed yet (the server is still booting).
   */
  public static Optional<List<String>> parse(String console) {
    if (console == null) {
      return Optional.empty();
    }
    int end = console.lastIndexOf(END);
    if (end < 0) {
      return Optional.empty();
    }
    int begin = console.lastIndexOf(BEGIN, end);
    if (begin < 0) {
      return Optional.empty();
    }
    List<String> fingerprints = new ArrayList<>();
    for (String line : console.substring(begin + BEGIN.length(), end).split("\\R")) {
      Matcher m = LINE.matcher(line);
      if (m.find()) {
        fingerprints.add(m.group(1));
      }
    }
    return Optional.of(List.copyOf(fingerprints));
  }
}
