package io.meshorch.sandbox.kube;

import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.StandardHttpClient;
import io.fabric8.kubernetes.client.http.StandardHttpClientBuilder;
import io.fabric8.kubernetes.client.http.StandardHttpRequest;
import io.fabric8.kubernetes.client.http.StandardWebSocketBuilder;
import io.fabric8.kubernetes.client.http.WebSocket;
import io.fabric8.kubernetes.client.http.WebSocketResponse;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * fabric8's HTTP client interface answered by an API server's dispatcher in the calling thread: the
 * transport of the sandbox's own controllers, which play the parts of a cluster's kubelets and
 * controller manager. Each request is the one the HTTP client would send (method, path and query,
 * headers, the user agent and bearer token included, body) and goes through the same dispatcher
 * chain as a request from the network (authorization, admission, the store, its watches), so the
 * services see the same API server; only the sockets, the HTTP codec and the thread hops are left
 * out. Watches and exec (WebSockets) are not offered: the controllers read the store directly.
 */
final class DispatchedHttpClient
    extends StandardHttpClient<
        DispatchedHttpClient, DispatchedHttpClient.Factory, DispatchedHttpClient.Builder> {
  private final Dispatcher dispatcher;

  private DispatchedHttpClient(Builder builder, AtomicBoolean closed, Dispatcher dispatcher) {
    super(builder, closed);
    this.dispatcher = dispatcher;
  }

  @Override
  public CompletableFuture<HttpResponse<AsyncBody>> consumeBytesDirect(
      StandardHttpRequest request, AsyncBody.Consumer<List<ByteBuffer>> consumer) {
    if (isClosed()) {
      return CompletableFuture.failedFuture(new IOException("the client is closed"));
    }
    MockResponse response;
    try {
      response = dispatcher.dispatch(recorded(request));
    } catch (RuntimeException e) {
      // What a server's failure is to an HTTP client: an I/O error of that request.
      return CompletableFuture.failedFuture(new IOException("the API server failed", e));
    }
    return CompletableFuture.completedFuture(new Response(request, response, consumer));
  }

  @Override
  public CompletableFuture<WebSocketResponse> buildWebSocketDirect(
      StandardWebSocketBuilder builder, WebSocket.Listener listener) {
    return CompletableFuture.failedFuture(
        new UnsupportedOperationException(
            "no WebSocket in the process: " + builder.asHttpRequest().uri()));
  }

  @Override
  protected void doClose() {
    // Nothing held: the dispatcher belongs to the API server.
  }

  /** The request as the API server's HTTP handler would hand it to the dispatcher. */
  static RecordedRequest recorded(StandardHttpRequest request) {
    URI uri = request.uri();
    String path = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
    Headers.Builder headers = Headers.builder();
    for (Map.Entry<String, List<String>> h : request.headers().entrySet()) {
      h.getValue().forEach(v -> headers.add(h.getKey(), v));
    }
    if (request.getContentType() != null) {
      headers.set("Content-Type", request.getContentType());
    }
    return new RecordedRequest(
        "HTTP/1.1", HttpMethod.valueOf(request.method()), path, headers.build(), body(request));
  }

  private static Buffer body(StandardHttpRequest request) {
    StandardHttpRequest.BodyContent content = request.body();
    if (content instanceof StandardHttpRequest.StringBodyContent s) {
      return new Buffer(s.getContent().getBytes(StandardCharsets.UTF_8));
    }
    if (content instanceof StandardHttpRequest.ByteArrayBodyContent b) {
      return new Buffer(b.getContent());
    }
    if (content instanceof StandardHttpRequest.InputStreamBodyContent in) {
      try (InputStream stream = in.getContent()) {
        return new Buffer(stream.readAllBytes());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return new Buffer();
  }

  /** A dispatcher's answer, its body handed to the consumer on the first {@code consume()}. */
  private static final class Response implements HttpResponse<AsyncBody>, AsyncBody {
    private final StandardHttpRequest request;
    private final int code;
    private final Map<String, List<String>> headers;
    private final byte[] body;
    private final AsyncBody.Consumer<List<ByteBuffer>> consumer;
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private boolean delivered;

    Response(
        StandardHttpRequest request,
        MockResponse response,
        AsyncBody.Consumer<List<ByteBuffer>> consumer) {
      this.request = request;
      this.code = response.code();
      this.headers = response.getHeaders().toMultimap();
      this.body = response.getBody() == null ? new byte[0] : response.getBody().getBytes();
      this.consumer = consumer;
    }

    @Override
    public synchronized void consume() {
      if (done.isDone()) {
        return;
      }
      if (!delivered && body.length > 0) {
        delivered = true;
        try {
          // The consumer asks for more by calling consume() again: that call ends the body.
          consumer.consume(List.of(ByteBuffer.wrap(body)), this);
        } catch (Exception e) {
          done.completeExceptionally(e);
          return;
        }
      }
      done.complete(null);
    }

    @Override
    public CompletableFuture<Void> done() {
      return done;
    }

    @Override
    public void cancel() {
      done.cancel(false);
    }

    @Override
    public int code() {
      return code;
    }

    @Override
    public AsyncBody body() {
      return this;
    }

    @Override
    public HttpRequest request() {
      return request;
    }

    @Override
    public Optional<HttpResponse<?>> previousResponse() {
      return Optional.empty();
    }

    @Override
    public List<String> headers(String key) {
      return headers.entrySet().stream()
          .filter(e -> e.getKey().equalsIgnoreCase(key))
          .flatMap(e -> e.getValue().stream())
          .toList();
    }

    @Override
    public Map<String, List<String>> headers() {
      return headers;
    }
  }

  /** Builds clients that dispatch to one dispatcher. */
  static final class Factory implements HttpClient.Factory {
    private final Dispatcher dispatcher;

    Factory(Dispatcher dispatcher) {
      this.dispatcher = dispatcher;
    }

    @Override
    public Builder newBuilder() {
      return new Builder(this);
    }
  }

  /** fabric8's builder contract; connection settings have nothing to apply to. */
  static final class Builder
      extends StandardHttpClientBuilder<DispatchedHttpClient, Factory, Builder> {
    Builder(Factory factory) {
      super(factory);
    }

    @Override
    public DispatchedHttpClient build() {
      if (client != null) {
        return new DispatchedHttpClient(this, client.getClosed(), clientFactory.dispatcher);
      }
      return new DispatchedHttpClient(this, new AtomicBoolean(), clientFactory.dispatcher);
    }

    @Override
    protected Builder newInstance(Factory factory) {
      return new Builder(factory);
    }
  }
}
