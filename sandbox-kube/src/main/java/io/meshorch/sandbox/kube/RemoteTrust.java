package io.meshorch.sandbox.kube;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The TLS checks of a Cilium mesh connection, with real X.509 path validation ({@link
 * CertPathValidator}, PKIX): an agent (or KVStoreMesh) dialing {@code <cluster>.mesh.cilium.io}
 * accepts the remote etcd's server certificate only if it chains to the CA of its {@code
 * trusted-ca-file}, is valid now, may serve TLS (extended key usage) and names the dialed host in
 * its DNS SANs (a {@code *.} wildcard covers one leftmost label, as the chart's {@code
 * *.mesh.cilium.io}); the remote etcd ({@code --client-cert-auth}) accepts the client certificate
 * only if it chains to its own {@code --trusted-ca-file}. Failures are worded as Go's crypto/tls
 * and crypto/x509 word them, which is what Cilium reports as a remote cluster's {@code
 * last-failure}.
 *
 * <p>A validation's outcome depends only on the PEM texts and the time, so it is remembered per
 * (chain, trusted CAs, usage) together with the window in which every certificate of the chain is
 * valid: a later check of the same texts inside that window gets the same answer without the
 * signature verifications (the sandbox answers every agent's status this way, for every remote, on
 * every poll). Outside the window, and for texts not seen before, the validation runs again.
 */
final class RemoteTrust {
  private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
  private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
  private static final String ANY_USAGE = "2.5.29.37.0";
  private static final String EXPIRED = "x509: certificate has expired or is not yet valid";
  private static final DateTimeFormatter GO_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

  /** How many validations are remembered (least recently used ones are forgotten first). */
  private static final int REMEMBERED = 4096;

  /**
   * A validation's outcome for {@code [validFrom, validUntil]}: {@code failure} is empty when the
   * chain verified, else a failure that does not depend on time (untrusted, wrong usage...).
   */
  private record Verdict(Optional<String> failure, Instant validFrom, Instant validUntil) {
    boolean covers(Instant now) {
      return !now.isBefore(validFrom) && !now.isAfter(validUntil);
    }
  }

  private record VerdictKey(String chainPem, String trustedCaPem, String usage) {}

  private static final Map<VerdictKey, Verdict> VERDICTS =
      new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<VerdictKey, Verdict> eldest) {
          return size() > REMEMBERED;
        }
      };

  private RemoteTrust() {}

  /**
   * Verifies the server side of the handshake.
   *
   * @param serverChainPem the certificate(s) the server presents, leaf first
   * @param trustedCaPem the content of the dialer's {@code trusted-ca-file} (one or more CAs)
   * @param host the name dialed
   * @param now the time of the check
   * @return the failure as the dialer reports it, or empty when the server is trusted
   */
  static Optional<String> verifyServer(
      String serverChainPem, String trustedCaPem, String host, Instant now) {
    Optional<String> chain = verifyChain(serverChainPem, trustedCaPem, SERVER_AUTH, now);
    if (chain.isPresent()) {
      return chain.map(e -> "tls: failed to verify certificate: " + e);
    }
    X509Certificate leaf = parse(serverChainPem).get(0);
    List<String> names = dnsNames(leaf);
    if (names.stream().noneMatch(n -> matches(n, host))) {
      String valid =
          names.isEmpty()
              ? "x509: certificate is not valid for any names, but wanted to match " + host
              : "x509: certificate is valid for " + String.join(", ", names) + ", not " + host;
      return Optional.of("tls: failed to verify certificate: " + valid);
    }
    return Optional.empty();
  }

  /**
   * Verifies the client side of the handshake, as the remote etcd with {@code --client-cert-auth}
   * does; the dialer sees the server's alert.
   *
   * @return {@code remote error: tls: bad certificate} (or the missing file) on failure
   */
  static Optional<String> verifyClient(
      String clientCertPem, String serverTrustedCaPem, Instant now) {
    if (clientCertPem == null || clientCertPem.isBlank()) {
      return Optional.of("remote error: tls: certificate required");
    }
    return verifyChain(clientCertPem, serverTrustedCaPem, CLIENT_AUTH, now)
        .map(e -> "remote error: tls: bad certificate");
  }

  private static Optional<String> verifyChain(
      String chainPem, String trustedCaPem, String usage, Instant now) {
    VerdictKey key = new VerdictKey(chainPem, trustedCaPem, usage);
    Verdict known;
    synchronized (VERDICTS) {
      known = VERDICTS.get(key);
    }
    if (known != null && known.covers(now)) {
      return known.failure();
    }
    List<X509Certificate> chain = parse(chainPem);
    Optional<String> failure = validate(chain, trustedCaPem, usage, now);
    if (!chain.isEmpty() && failure.map(f -> !f.startsWith(EXPIRED)).orElse(true)) {
      Instant from = Instant.MIN;
      Instant until = Instant.MAX;
      for (X509Certificate c : chain) {
        from = max(from, c.getNotBefore().toInstant());
        until = min(until, c.getNotAfter().toInstant());
      }
      synchronized (VERDICTS) {
        VERDICTS.put(key, new Verdict(failure, from, until));
      }
    }
    return failure;
  }

  private static Instant max(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }

  private static Instant min(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }

  private static Optional<String> validate(
      List<X509Certificate> chain, String trustedCaPem, String usage, Instant now) {
    if (chain.isEmpty()) {
      return Optional.of("x509: malformed certificate");
    }
    Set<TrustAnchor> anchors = new HashSet<>();
    for (X509Certificate ca : parse(trustedCaPem)) {
      anchors.add(new TrustAnchor(ca, null));
    }
    if (anchors.isEmpty()) {
      return Optional.of("x509: certificate signed by unknown authority");
    }
    X509Certificate leaf = chain.get(0);
    try {
      CertPath path = CertificateFactory.getInstance("X.509").generateCertPath(chain);
      PKIXParameters params = new PKIXParameters(anchors);
      params.setRevocationEnabled(false);
      params.setDate(Date.from(now));
      CertPathValidator.getInstance("PKIX").validate(path, params);
    } catch (CertPathValidatorException e) {
      if (e.getReason() == CertPathValidatorException.BasicReason.EXPIRED
          || e.getReason() == CertPathValidatorException.BasicReason.NOT_YET_VALID) {
        return Optional.of(expired(leaf, now));
      }
      return Optional.of("x509: certificate signed by unknown authority");
    } catch (GeneralSecurityException e) {
      return Optional.of("x509: certificate signed by unknown authority");
    }
    try {
      List<String> usages = leaf.getExtendedKeyUsage();
      if (usages != null && !usages.contains(usage) && !usages.contains(ANY_USAGE)) {
        return Optional.of("x509: certificate specifies an incompatible key usage");
      }
    } catch (CertificateException e) {
      return Optional.of("x509: malformed certificate");
    }
    return Optional.empty();
  }

  private static String expired(X509Certificate leaf, Instant now) {
    Instant notAfter = leaf.getNotAfter().toInstant();
    Instant notBefore = leaf.getNotBefore().toInstant();
    return now.isAfter(notAfter)
        ? EXPIRED
            + ": current time "
            + GO_TIME.format(now)
            + " is after "
            + GO_TIME.format(notAfter)
        : EXPIRED
            + ": current time "
            + GO_TIME.format(now)
            + " is before "
            + GO_TIME.format(notBefore);
  }

  /** The certificates of a PEM bundle, in order; empty when there is none. */
  static List<X509Certificate> parse(String pem) {
    List<X509Certificate> out = new ArrayList<>();
    if (pem == null || pem.isBlank()) {
      return out;
    }
    try {
      Collection<? extends java.security.cert.Certificate> certs =
          CertificateFactory.getInstance("X.509")
              .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.UTF_8)));
      certs.forEach(c -> out.add((X509Certificate) c));
    } catch (CertificateException e) {
      return List.of();
    }
    return out;
  }

  private static List<String> dnsNames(X509Certificate cert) {
    List<String> out = new ArrayList<>();
    try {
      Collection<List<?>> sans = cert.getSubjectAlternativeNames();
      if (sans != null) {
        for (List<?> san : sans) {
          if (Integer.valueOf(2).equals(san.get(0))) {
            out.add(String.valueOf(san.get(1)));
          }
        }
      }
    } catch (CertificateException e) {
      return List.of();
    }
    return out;
  }

  /** RFC 6125 matching as Go does it: exact (case-insensitive) or a wildcard leftmost label. */
  static boolean matches(String pattern, String host) {
    String p = pattern.toLowerCase(Locale.ROOT);
    String h = host.toLowerCase(Locale.ROOT);
    if (!p.startsWith("*.")) {
      return p.equals(h);
    }
    int dot = h.indexOf('.');
    return dot > 0 && h.substring(dot).equals(p.substring(1));
  }
}
