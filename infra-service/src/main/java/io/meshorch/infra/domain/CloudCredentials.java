package io.meshorch.infra.domain;

import java.util.Objects;

/**
 * Where a cloud is and how to authenticate against its Keystone v3: with a password scoped to a
 * project, or with an application credential (already scoped to its project).
 *
 * @param source where the values came from (a clouds.yaml path and cloud name, or the environment),
 *     for messages: it names the cloud in errors and warnings
 * @param authUrl the Keystone v3 URL, e.g. {@code https://keystone.example.org:5000/v3}
 * @param auth the secret and who it belongs to; never logged ({@link #toString()} masks secrets)
 * @param regionName the region whose endpoints are used, or null for the first one
 * @param tls which certificates the HTTP client trusts for this cloud
 * @param rateLimits how fast each of the cloud's services may be called (clouds.yaml's {@code
 *     rate_limit})
 */
public record CloudCredentials(
    String source,
    String authUrl,
    KeystoneAuth auth,
    String regionName,
    CloudTls tls,
    CloudRateLimits rateLimits) {

  /** Checks that every part is present. */
  public CloudCredentials {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(authUrl, "authUrl");
    Objects.requireNonNull(auth, "auth");
    Objects.requireNonNull(tls, "tls");
    Objects.requireNonNull(rateLimits, "rateLimits");
  }

  /** Credentials without client-side rate limits. */
  public CloudCredentials(
      String source, String authUrl, KeystoneAuth auth, String regionName, CloudTls tls) {
    this(source, authUrl, auth, regionName, tls, CloudRateLimits.NONE);
  }

  /** The same credentials with {@code limits}. */
  public CloudCredentials withRateLimits(CloudRateLimits limits) {
    return new CloudCredentials(source, authUrl, auth, regionName, tls, limits);
  }

  /** Password credentials with the JDK's trust store, as most tests and openrc files have them. */
  public static CloudCredentials password(
      String source, String authUrl, KeystoneAuth.Password password, String regionName) {
    return new CloudCredentials(source, authUrl, password, regionName, CloudTls.systemDefault());
  }
}
