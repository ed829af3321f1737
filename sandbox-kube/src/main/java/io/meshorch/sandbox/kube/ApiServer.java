package io.meshorch.sandbox.kube;

import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.vertx.HttpServerRequestHandler;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The HTTP side of one sandbox API server: fabric8's mock request handling (the same handler its
 * {@code MockWebServer} uses, with the exec/watch WebSocket sub-protocols) on a Vert.x instance
 * that all API servers of the sandbox share. fabric8's {@code MockWebServer} owns a Vert.x per
 * server (event-loop, acceptor and checker threads each) and keeps every request it served in
 * memory; this one does neither.
 */
final class ApiServer implements AutoCloseable {
  private static final List<String> SUB_PROTOCOLS =
      List.of("v1.channel.k8s.io", "v2.channel.k8s.io", "v3.channel.k8s.io", "v4.channel.k8s.io");

  private final Dispatcher dispatcher;
  private final HttpServer server;

  ApiServer(Vertx vertx, String host, Dispatcher dispatcher) {
    this.dispatcher = dispatcher;
    HttpServerOptions options =
        new HttpServerOptions()
            .setHost(host)
            .setPort(0)
            .setAlpnVersions(List.of(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1))
            .setWebSocketSubProtocols(SUB_PROTOCOLS)
            .setHandle100ContinueAutomatically(true)
            .setHttp2ClearTextEnabled(true);
    this.server =
        vertx
            .createHttpServer(options)
            .requestHandler(
                new HttpServerRequestHandler(vertx) {
                  @Override
                  protected MockResponse onHttpRequest(RecordedRequest request) {
                    return dispatcher.dispatch(request);
                  }
                });
    await(server.listen(), "start an API server on " + host);
  }

  /** The port it listens on. */
  int port() {
    return server.actualPort();
  }

  @Override
  public void close() {
    dispatcher.shutdown();
    try {
      await(server.close(), "stop an API server");
    } finally {
      dispatcher.releaseResources();
    }
  }

  private static <T> T await(Future<T> future, String what) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted: " + what, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot " + what, e);
    }
  }
}
