package io.meshorch.infra.adapter.openstack;

import io.meshorch.infra.domain.CloudCredentials;
import io.meshorch.infra.domain.CloudCredentialsParser.InvalidCloudConfig;
import io.meshorch.infra.domain.CloudRateLimits;
import io.meshorch.infra.domain.KeystoneAuth;
import io.meshorch.kit.failure.StepFailure;
import io.meshorch.kit.failure.TerminalFailure;
import io.meshorch.kit.failure.TransientFailure;
import io.meshorch.kit.pacing.CallPacer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import org.openstack4j.api.OSClient.OSClientV3;
import org.openstack4j.api.client.IOSClientBuilder;
import org.openstack4j.api.exceptions.AuthenticationException;
import org.openstack4j.api.types.Facing;
import org.openstack4j.core.transport.Config;
import org.openstack4j.model.common.Identifier;
import org.openstack4j.model.identity.v3.Endpoint;
import org.openstack4j.model.identity.v3.Service;
import org.openstack4j.model.identity.v3.Token;
import org.openstack4j.openstack.OSFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Keystone v3 session shared by the adapters. openstack4j keeps its session in a thread-local,
 * set when a client is built; steps run on whichever of the kit's worker threads is free. So every
 * call builds a fresh, light client from the shared token on the calling thread ({@link #client()},
 * {@code OSFactory.clientFromToken}: no new authentication) and uses it on that thread only; no
 * client is kept between calls, and any thread may call. The token is renewed (under a lock) when
 * it is within the refresh margin of its expiry. Credentials are read lazily, so a missing setting
 * surfaces as a terminal failure naming the key, not as a crash at start-up.
 *
 * <p>A password is sent through openstack4j; an application credential, which openstack4j cannot
 * send, through {@link KeystoneApplicationCredentialLogin}; both tokens are used alike. Every HTTP
 * call, openstack4j's (through {@link JdkHttpExecutorService}) and the raw ones, trusts what the
 * cloud's {@code cacert}/{@code verify} say ({@link CloudTrust}); a certificate that is not trusted
 * is a terminal {@code OPENSTACK_TLS_FAILED} naming the cloud and {@code cacert}. Every HTTP
 * request to the cloud, Keystone's included, first takes a slot of the session's {@link CallPacer}
 * ({@code mesh.openstack.rate-limit}, all calls together), and a request to a service a slot of
 * that service's own pacer before it (clouds.yaml's {@code rate_limit}, {@link CloudRateLimits}, or
 * none); both hear the cloud's answers ({@link Pacing}): the raw ones through {@link #send},
 * openstack4j's in the connector, which finds the pacing of the call running on its thread ({@link
 * #pacingOfThisThread()}).
 */
public final class OpenstackSession {
  private static final Logger log = LoggerFactory.getLogger(OpenstackSession.class);

  private final Supplier<CloudCredentials> credentialsSource;
  private final Duration connectTimeout;
  private final Duration readTimeout;
  private final Duration refreshMargin;
  private final CallPacer rateLimit;

  /** The pacer of each service type, at clouds.yaml's rate_limit or none, made once. */
  private final Map<String, CallPacer> servicePacers = new ConcurrentHashMap<>();

  private final KeystoneApplicationCredentialLogin applicationCredentials =
      new KeystoneApplicationCredentialLogin();
  private CloudCredentials credentials;
  private Transport transport;
  private Token token;

  /** The pacing of the openstack4j call running on this thread, for the connector. */
  private static final ThreadLocal<Pacing> CALLING = new ThreadLocal<>();

  /**
   * The pacers a request takes a slot of: the service's own (clouds.yaml's {@code rate_limit}, or
   * none but what the service's 429s teach; null for Keystone's authentication), then the
   * session's. Both hear what the cloud answered: a 429 holds every call back, and teaches the
   * service's pacer and the session's a spacing ({@link CallPacer}), so a service that refuses
   * keeps being spaced even while the others' answers relax the session's.
   */
  record Pacing(CallPacer service, CallPacer all) {
    void pace(String what) {
      if (service != null) {
        service.pace(what);
      }
      all.pace(what);
    }
  }

  /** openstack4j's settings and the client of the raw calls, both with the cloud's TLS trust. */
  private record Transport(Config config, HttpClient http) {}

  /**
   * @param credentials where to read the credentials from (called once, on first use)
   * @param connectTimeout TCP connect timeout of every call
   * @param readTimeout read timeout of every call
   * @param refreshMargin re-authenticate when the token expires within this margin
   */
  public OpenstackSession(
      Supplier<CloudCredentials> credentials,
      Duration connectTimeout,
      Duration readTimeout,
      Duration refreshMargin) {
    this(credentials, connectTimeout, readTimeout, refreshMargin, CallPacer.unlimited("the cloud"));
  }

  /**
   * @param credentials where to read the credentials from (called once, on first use)
   * @param connectTimeout TCP connect timeout of every call
   * @param readTimeout read timeout of every call
   * @param refreshMargin re-authenticate when the token expires within this margin
   * @param rateLimit how fast the cloud may be called, shared by every call of the session
   */
  OpenstackSession(
      Supplier<CloudCredentials> credentials,
      Duration connectTimeout,
      Duration readTimeout,
      Duration refreshMargin,
      CallPacer rateLimit) {
    this.credentialsSource = credentials;
    this.connectTimeout = connectTimeout;
    this.readTimeout = readTimeout;
    this.refreshMargin = refreshMargin;
    this.rateLimit = rateLimit;
  }

  /**
   * A session whose requests keep to {@code requestsPerSecond} (0: no steady limit) in bursts of
   * {@code burst}; every session also holds back when the cloud answers 429 ({@link CallPacer}).
   */
  public static OpenstackSession paced(
      Supplier<CloudCredentials> credentials,
      Duration connectTimeout,
      Duration readTimeout,
      Duration refreshMargin,
      double requestsPerSecond,
      int burst) {
    return new OpenstackSession(
        credentials,
        connectTimeout,
        readTimeout,
        refreshMargin,
        new CallPacer("the cloud", requestsPerSecond, burst));
  }

  /** A client bound to the calling thread, authenticated with the current token. */
  OSClientV3 client() {
    Token current = token();
    OSClientV3 client = OSFactory.clientFromToken(current, Facing.PUBLIC, transport().config());
    String region = credentials().regionName();
    return region == null ? client : client.useRegion(region);
  }

  /**
   * Runs {@code body}, which calls {@code serviceType} (e.g. {@code orchestration}), with a
   * thread-bound client, and classifies what it throws. A 401 from a service means the token was
   * revoked or expired early: it is dropped and the call fails transiently, so a retry
   * authenticates again (wrong credentials fail terminally there).
   */
  <T> T call(String serviceType, String what, Function<OSClientV3, T> body) {
    OSClientV3 client = client();
    try {
      return pacedOnThisThread(pacing(serviceType), () -> body.apply(client));
    } catch (AuthenticationException e) {
      invalidate();
      throw new TransientFailure(
          "OPENSTACK_TOKEN_REJECTED", what + ": the service refused the token (401)", e);
    } catch (RuntimeException e) {
      throw classify(what, e);
    }
  }

  /** Runs openstack4j's {@code body} with {@code pacing} for the connector. */
  private static <T> T pacedOnThisThread(Pacing pacing, Supplier<T> body) {
    Pacing outer = CALLING.get();
    CALLING.set(pacing);
    try {
      return body.get();
    } finally {
      if (outer == null) {
        CALLING.remove();
      } else {
        CALLING.set(outer);
      }
    }
  }

  /**
   * The pacing of a request to {@code serviceType}, or of Keystone's authentication when it is
   * null: clouds.yaml's {@code rate_limit} does not limit that one (openstacksdk authenticates
   * outside its services' adapters).
   */
  private Pacing pacing(String serviceType) {
    if (serviceType == null) {
      return new Pacing(null, rateLimit);
    }
    return new Pacing(servicePacers.computeIfAbsent(serviceType, this::servicePacer), rateLimit);
  }

  private CallPacer servicePacer(String serviceType) {
    String system = "the cloud's " + serviceType + " service";
    OptionalDouble limit = credentials().rateLimits().of(serviceType);
    if (limit.isEmpty()) {
      return CallPacer.unlimited(system);
    }
    log.info(
        "calls to the cloud's {} service keep to {} per second ({} rate_limit)",
        serviceType,
        limit.getAsDouble(),
        credentials().source());
    // One at a time, 1/rate apart, as keystoneauth spaces an adapter's requests.
    return new CallPacer(system, limit.getAsDouble(), 1);
  }

  /** The pacing of the session whose openstack4j call runs on this thread, or null outside one. */
  static Pacing pacingOfThisThread() {
    return CALLING.get();
  }

  /**
   * Sends a raw request to {@code serviceType} (null: Keystone's authentication) in its slots, and
   * tells its pacers what the cloud answered.
   *
   * @throws io.meshorch.kit.failure.Throttled when a slot is too far away (nothing sent)
   * @throws IOException as {@link HttpClient#send}
   */
  <T> HttpResponse<T> send(
      String serviceType, String what, HttpRequest request, HttpResponse.BodyHandler<T> body)
      throws IOException, InterruptedException {
    return send(pacing(serviceType), transport().http(), what, request, body);
  }

  /**
   * Sends {@code request} with {@code http} in its slots of {@code pacing} (none: at once), and
   * tells its pacers what the cloud answered: the raw calls and openstack4j's connector alike.
   */
  static <T> HttpResponse<T> send(
      Pacing pacing,
      HttpClient http,
      String what,
      HttpRequest request,
      HttpResponse.BodyHandler<T> body)
      throws IOException, InterruptedException {
    if (pacing == null) {
      return http.send(request, body);
    }
    pacing.pace(what);
    HttpResponse<T> response = http.send(request, body);
    Optional<String> retryAfter = response.headers().firstValue("Retry-After");
    if (pacing.service() != null) {
      pacing.service().answered(response.statusCode(), retryAfter.orElse(null));
    }
    answered(pacing.all(), what, response.statusCode(), retryAfter);
    return response;
  }

  /** Tells {@code limit} what the cloud answered to {@code what}; logs a hold-off. */
  private static void answered(
      CallPacer limit, String what, int status, Optional<String> retryAfter) {
    limit
        .answered(status, retryAfter.orElse(null))
        .ifPresent(
            millis ->
                log.warn(
                    "{}: the cloud answered {}{}; every call to it waits {} ms",
                    what,
                    status,
                    retryAfter.map(v -> " with Retry-After: " + v).orElse(""),
                    millis));
  }

  /** The current token's ID, for raw HTTP calls; never log it. */
  String tokenId() {
    return token().getId();
  }

  Duration connectTimeout() {
    return connectTimeout;
  }

  Duration readTimeout() {
    return readTimeout;
  }

  /**
   * The failure of a raw call to {@code uri} that threw {@code e}: terminal when the server's
   * certificate is not trusted, else transient (unreachable).
   */
  StepFailure ioFailure(String what, URI uri, IOException e) {
    SSLHandshakeException tls = handshakeCause(e);
    if (tls != null) {
      return tlsFailure(what, tls);
    }
    return new TransientFailure(
        "OPENSTACK_UNREACHABLE", what + ": cannot reach " + uri.getAuthority() + ": " + e, e);
  }

  /** Forgets the token (after a 401 from a service), so that the next call authenticates anew. */
  synchronized void invalidate() {
    token = null;
  }

  /**
   * The public endpoint of {@code serviceType} (e.g. {@code network}) in the configured region,
   * from the token's catalog, without a trailing slash.
   */
  URI endpoint(String serviceType) {
    Token current = token();
    String region = credentials().regionName();
    for (Service service : current.getCatalog()) {
      if (!serviceType.equals(service.getType())) {
        continue;
      }
      for (Endpoint e : service.getEndpoints()) {
        boolean inRegion =
            region == null || region.equals(e.getRegion()) || region.equals(e.getRegionId());
        if (e.getIface() == Facing.PUBLIC && inRegion) {
          return URI.create(e.getUrl().toString().replaceAll("/+$", ""));
        }
      }
    }
    throw new TerminalFailure(
        "OPENSTACK_ENDPOINT_MISSING",
        "the catalog has no public "
            + serviceType
            + " endpoint"
            + (region == null ? "" : " in region " + region));
  }

  private synchronized CloudCredentials credentials() {
    if (credentials == null) {
      try {
        credentials = credentialsSource.get();
      } catch (InvalidCloudConfig e) {
        throw new TerminalFailure("OPENSTACK_CONFIG_INVALID", e.getMessage(), e);
      }
      log.info("OpenStack credentials from {}", credentials);
    }
    return credentials;
  }

  private synchronized Transport transport() {
    if (transport == null) {
      CloudCredentials c = credentials();
      SSLContext ssl;
      try {
        ssl = CloudTrust.sslContext(c);
      } catch (InvalidCloudConfig e) {
        throw new TerminalFailure("OPENSTACK_CONFIG_INVALID", e.getMessage(), e);
      }
      Config config =
          Config.newConfig()
              .withConnectionTimeout((int) connectTimeout.toMillis())
              .withReadTimeout((int) readTimeout.toMillis())
              .withSSLContext(ssl);
      HttpClient http =
          HttpClient.newBuilder()
              .connectTimeout(connectTimeout)
              .version(HttpClient.Version.HTTP_1_1)
              .sslContext(ssl)
              .build();
      transport = new Transport(config, http);
    }
    return transport;
  }

  private synchronized Token token() {
    if (token == null
        || token.getExpires() == null
        || token.getExpires().toInstant().isBefore(Instant.now().plus(refreshMargin))) {
      token = authenticate(credentials());
    }
    return token;
  }

  private Token authenticate(CloudCredentials c) {
    Token fresh;
    if (c.auth() instanceof KeystoneAuth.ApplicationCredential ac) {
      fresh = applicationCredentials.authenticate(c, ac, readTimeout, this);
    } else {
      fresh = authenticate(c, (KeystoneAuth.Password) c.auth());
    }
    log.info(
        "authenticated with {} at {}, token expires {}",
        c.auth().principal(),
        c.authUrl(),
        fresh.getExpires());
    return fresh;
  }

  private Token authenticate(CloudCredentials c, KeystoneAuth.Password p) {
    String what = "authenticate as " + p.username() + " at " + c.authUrl();
    IOSClientBuilder.V3 builder =
        OSFactory.builderV3()
            .endpoint(c.authUrl())
            .withConfig(transport().config())
            .credentials(p.username(), p.password(), Identifier.byName(p.userDomainName()));
    builder =
        p.projectId() != null
            ? builder.scopeToProject(Identifier.byId(p.projectId()))
            : builder.scopeToProject(
                Identifier.byName(p.projectName()), Identifier.byName(p.projectDomainName()));
    try {
      IOSClientBuilder.V3 scoped = builder;
      return pacedOnThisThread(pacing(null), () -> scoped.authenticate().getToken());
    } catch (RuntimeException e) {
      throw classify(what, e);
    }
  }

  private StepFailure classify(String what, RuntimeException e) {
    SSLHandshakeException tls = handshakeCause(e);
    return tls != null ? tlsFailure(what, tls) : Openstack4jFailures.classify(what, e);
  }

  private TerminalFailure tlsFailure(String what, SSLHandshakeException e) {
    CloudCredentials c = credentials();
    String advice =
        c.tls().cacert() != null
            ? "the server's certificate does not chain to a CA of "
                + c.tls().cacertSetting()
                + " ("
                + c.tls().cacert()
                + ")"
            : "the server's certificate is not trusted by the JDK's trust store; if the cloud uses"
                + " a private CA, set cacert in its clouds.yaml entry (or OS_CACERT) to the CA's"
                + " PEM bundle";
    return new TerminalFailure(
        "OPENSTACK_TLS_FAILED",
        what
            + ": TLS handshake failed for cloud "
            + c.source()
            + ": "
            + advice
            + " ("
            + e.getMessage()
            + ")",
        e);
  }

  private static SSLHandshakeException handshakeCause(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SSLHandshakeException tls) {
        return tls;
      }
    }
    return null;
  }
}
