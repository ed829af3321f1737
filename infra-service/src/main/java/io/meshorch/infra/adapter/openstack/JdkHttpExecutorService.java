package io.meshorch.infra.adapter.openstack;

import io.meshorch.kit.pacing.CallPacer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;
import org.openstack4j.api.exceptions.ClientResponseException;
import org.openstack4j.api.exceptions.ConnectionException;
import org.openstack4j.core.transport.Config;
import org.openstack4j.core.transport.ExecutionOptions;
import org.openstack4j.core.transport.HttpEntityHandler;
import org.openstack4j.core.transport.HttpExecutorService;
import org.openstack4j.core.transport.HttpMethod;
import org.openstack4j.core.transport.HttpRequest;
import org.openstack4j.core.transport.HttpResponse;
import org.openstack4j.core.transport.ObjectMapperSingleton;

/**
 * openstack4j's HTTP connector on the JDK's {@link HttpClient} (registered in {@code
 * META-INF/services}). It exists because openstack4j's okhttp connector cannot use a custom {@link
 * SSLContext} on JDK 9 and later: it calls okhttp's {@code sslSocketFactory(SSLSocketFactory)},
 * which throws {@code UnsupportedOperationException} there, so a cloud behind a private CA ({@code
 * cacert}) could not be reached. This one honours {@link Config#getSslContext()} and the connect
 * and read timeouts, keeps one client (and its connections) per SSL context and connect timeout (a
 * session makes one SSL context, so that is one client per configured cloud), and follows redirects
 * as okhttp did (itself, up to five, never from HTTPS to HTTP as the JDK's {@code Redirect.NORMAL},
 * so that each request of a redirect takes its own slot). Unlike the okhttp connector it does not
 * re-authenticate on a 401: {@link OpenstackSession} drops the token and the step is retried. Each
 * request first takes a slot of the rate limit of the session calling on this thread (too far away:
 * the call ends {@code Throttled}, nothing sent), and the limit learns of a 429 (or a 503 with
 * {@code Retry-After}) it got ({@link CallPacer}).
 */
public final class JdkHttpExecutorService implements HttpExecutorService {
  private static final Set<String> RESTRICTED_HEADERS =
      Set.of("connection", "content-length", "expect", "host", "upgrade");
  private static final Map<ClientKey, HttpClient> CLIENTS = new ConcurrentHashMap<>();
  private static final int MAX_REDIRECTS = 5;

  private record ClientKey(SSLContext ssl, int connectTimeoutMillis) {}

  /** Public for {@link java.util.ServiceLoader}. */
  public JdkHttpExecutorService() {}

  @Override
  public <R> HttpResponse execute(HttpRequest<R> request) {
    Config config = request.getConfig();
    HttpClient client = client(config);
    java.net.http.HttpRequest.Builder builder =
        java.net.http.HttpRequest.newBuilder(URI.create(request.getUrl()));
    if (config.getReadTimeout() > 0) {
      builder.timeout(Duration.ofMillis(config.getReadTimeout()));
    }
    boolean hasContentType = false;
    if (request.hasHeaders()) {
      for (Map.Entry<String, Object> h : request.getHeaders().entrySet()) {
        String name = h.getKey();
        if (!RESTRICTED_HEADERS.contains(name.toLowerCase(java.util.Locale.ROOT))) {
          builder.header(name, String.valueOf(h.getValue()));
          hasContentType |= name.equalsIgnoreCase("Content-Type");
        }
      }
    }
    String contentType = null;
    BodyPublisher body = BodyPublishers.noBody();
    try {
      Object entity = request.getEntity();
      if (entity instanceof InputStream stream) {
        body = BodyPublishers.ofByteArray(stream.readAllBytes());
        contentType = request.getContentType();
      } else if (entity != null) {
        body =
            BodyPublishers.ofString(
                ObjectMapperSingleton.getContext(entity.getClass())
                    .writer()
                    .writeValueAsString(entity));
        contentType = request.getContentType();
      } else if (request.hasJson()) {
        body = BodyPublishers.ofString(request.getJson());
        contentType = "application/json";
      }
    } catch (IOException e) {
      throw new ConnectionException("cannot write the request body: " + e.getMessage(), 0, e);
    }
    if (contentType != null && !hasContentType) {
      builder.header("Content-Type", contentType);
    }
    HttpMethod method = request.getMethod();
    builder.method(method.name(), body);
    try {
      java.net.http.HttpRequest sent = builder.build();
      java.net.http.HttpResponse<byte[]> response = send(client, sent);
      // Redirects are followed here, as okhttp did, so that each request takes its slot.
      for (int hop = 0; hop < MAX_REDIRECTS && isRedirect(response.statusCode()); hop++) {
        Optional<URI> location = response.headers().firstValue("Location").map(sent.uri()::resolve);
        if (location.isEmpty() || !follows(sent.uri(), location.get())) {
          break;
        }
        sent = redirected(sent, response.statusCode(), location.get());
        response = send(client, sent);
      }
      return new Response(response);
    } catch (IOException e) {
      throw new ConnectionException(e.toString(), 0, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ConnectionException("interrupted", 0, e);
    }
  }

  private static java.net.http.HttpResponse<byte[]> send(
      HttpClient client, java.net.http.HttpRequest request)
      throws IOException, InterruptedException {
    return OpenstackSession.send(
        OpenstackSession.pacingOfThisThread(),
        client,
        request.method() + " " + request.uri().getPath(),
        request,
        BodyHandlers.ofByteArray());
  }

  /** Whether a redirect from {@code from} to {@code to} is followed: never from HTTPS to HTTP. */
  static boolean follows(URI from, URI to) {
    return !("https".equalsIgnoreCase(from.getScheme())
        && !"https".equalsIgnoreCase(to.getScheme()));
  }

  private static boolean isRedirect(int status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
  }

  /**
   * The request a redirect asks for, as browsers and the JDK's {@code Redirect.NORMAL} make it: 307
   * and 308 repeat the method and body, the others become a GET (a HEAD stays a HEAD).
   */
  private static java.net.http.HttpRequest redirected(
      java.net.http.HttpRequest previous, int status, URI location) {
    java.net.http.HttpRequest.Builder next =
        java.net.http.HttpRequest.newBuilder(previous, (name, value) -> true).uri(location);
    if (status != 307 && status != 308 && !previous.method().equals("HEAD")) {
      next.GET();
    }
    return next.build();
  }

  private static HttpClient client(Config config) {
    SSLContext ssl = config.getSslContext();
    return CLIENTS.computeIfAbsent(
        new ClientKey(ssl, config.getConnectTimeout()),
        key -> {
          HttpClient.Builder b =
              HttpClient.newBuilder()
                  .version(HttpClient.Version.HTTP_1_1)
                  .followRedirects(HttpClient.Redirect.NEVER)
                  .proxy(ProxySelector.getDefault());
          if (key.connectTimeoutMillis() > 0) {
            b.connectTimeout(Duration.ofMillis(key.connectTimeoutMillis()));
          }
          try {
            b.sslContext(key.ssl() != null ? key.ssl() : SSLContext.getDefault());
          } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no default SSL context", e);
          }
          return b.build();
        });
  }

  @Override
  public String getExecutorDisplayName() {
    return "JDK HttpClient connector";
  }

  /** A response read completely into memory (OpenStack API answers are small JSON documents). */
  private static final class Response implements HttpResponse {
    private final java.net.http.HttpResponse<byte[]> response;

    Response(java.net.http.HttpResponse<byte[]> response) {
      this.response = response;
    }

    @Override
    public <T> T getEntity(Class<T> returnType) {
      return getEntity(returnType, null);
    }

    @Override
    public <T> T getEntity(Class<T> returnType, ExecutionOptions<T> options) {
      return HttpEntityHandler.handle(this, returnType, options, Boolean.TRUE);
    }

    @Override
    public <T> T readEntity(Class<T> typeToReadAs) {
      try {
        return ObjectMapperSingleton.getContext(typeToReadAs)
            .readerFor(typeToReadAs)
            .readValue(response.body());
      } catch (IOException e) {
        throw new ClientResponseException(e.getMessage(), 0, e);
      }
    }

    @Override
    public int getStatus() {
      return response.statusCode();
    }

    @Override
    public String getContentType() {
      return header("Content-Type");
    }

    @Override
    public String getStatusMessage() {
      return switch (response.statusCode()) {
        case 200 -> "OK";
        case 201 -> "Created";
        case 202 -> "Accepted";
        case 204 -> "No Content";
        case 400 -> "Bad Request";
        case 401 -> "Unauthorized";
        case 403 -> "Forbidden";
        case 404 -> "Not Found";
        case 409 -> "Conflict";
        case 412 -> "Precondition Failed";
        case 413 -> "Request Entity Too Large";
        case 429 -> "Too Many Requests";
        case 500 -> "Internal Server Error";
        case 502 -> "Bad Gateway";
        case 503 -> "Service Unavailable";
        case 504 -> "Gateway Timeout";
        default -> "HTTP " + response.statusCode();
      };
    }

    @Override
    public InputStream getInputStream() {
      return new ByteArrayInputStream(response.body());
    }

    @Override
    public String header(String name) {
      return response.headers().firstValue(name).orElse(null);
    }

    @Override
    public Map<String, String> headers() {
      Map<String, String> out = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      response.headers().map().forEach((k, v) -> out.put(k, v.isEmpty() ? null : v.get(0)));
      return out;
    }

    @Override
    public void close() {}
  }
}
