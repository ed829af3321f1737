package io.meshorch.infra.adapter.openstack;

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
 * as okhttp did. Unlike the okhttp connector it does not re-authenticate on a 401: {@link
 * OpenstackSession} drops the token and the step is retried.
 */
public final class JdkHttpExecutorService implements HttpExecutorService {
  private static final Set<String> RESTRICTED_HEADERS =
      Set.of("connection", "content-length", "expect", "host", "upgrade");
  private static final Map<ClientKey, HttpClient> CLIENTS = new ConcurrentHashMap<>();

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
      return new Response(client.send(builder.build(), BodyHandlers.ofByteArray()));
    } catch (IOException e) {
      throw new ConnectionException(e.toString(), 0, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ConnectionException("interrupted", 0, e);
    }
  }

  private static HttpClient client(Config config) {
    SSLContext ssl = config.getSslContext();
    return CLIENTS.computeIfAbsent(
        new ClientKey(ssl, config.getConnectTimeout()),
        key -> {
          HttpClient.Builder b =
              HttpClient.newBuilder()
                  .version(HttpClient.Version.HTTP_1_1)
                  .followRedirects(HttpClient.Redirect.NORMAL)
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
