package io.meshorch.sandbox.kube;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.vertx5.Vertx5HttpClientFactory;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;

/**
 * One API server of the sandbox on its own: the store of the sandbox's clusters with what it does
 * as a real API server does (server-side apply and its managed fields, status subresources,
 * resource versions, watches that begin with what is stored; sandbox-kube README), and nothing
 * else: no nodes, controllers, kubelets or agents, no authentication. For tests that play a
 * cluster's controllers themselves (write a workload's status, say) and need the API server to
 * behave as one; a test that needs a running cluster brings one up with {@link SandboxKube}.
 *
 * <p>fabric8's mock server in CRUD mode, the usual alternative, has no server-side apply, and its
 * watches can hold its event loop for 30 s when a client closes one while an event is on its way
 * ({@code WatchCloseIT}).
 */
public final class SandboxApiServer implements AutoCloseable {
  private final Vertx vertx;
  private final ApiServer server;
  private final AtomicLong requests = new AtomicLong();
  private final KubernetesClient client;

  private SandboxApiServer(UnaryOperator<Dispatcher> front) {
    this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
    ObservedCrudDispatcher store = new ObservedCrudDispatcher((path, before, after) -> {});
    Dispatcher served = front.apply(store);
    Dispatcher counting =
        new Dispatcher() {
          @Override
          public MockResponse dispatch(RecordedRequest request) {
            requests.incrementAndGet();
            return served.dispatch(request);
          }

          @Override
          public void shutdown() {
            served.shutdown();
          }

          @Override
          public void releaseResources() {
            served.releaseResources();
          }
        };
    try {
      this.server = new ApiServer(vertx, "127.0.0.1", counting);
    } catch (RuntimeException e) {
      vertx.close();
      throw e;
    }
    this.client =
        new KubernetesClientBuilder()
            .withConfig(Config.fromKubeconfig(kubeconfig()))
            .withHttpClientFactory(new Vertx5HttpClientFactory(vertx))
            .withKubernetesSerialization(SandboxCluster.SERIALIZATION)
            .build();
  }

  /** Starts a server on a free port of 127.0.0.1, with nothing stored. */
  public static SandboxApiServer start() {
    return new SandboxApiServer(store -> store);
  }

  /**
   * {@link #start()} with {@code front} in front of the store: it is given the store's dispatcher
   * and returns the one that answers every request, e.g. one that answers {@code exec} into pods
   * itself (the store has no pods that run) and hands everything else to the store.
   */
  public static SandboxApiServer start(UnaryOperator<Dispatcher> front) {
    return new SandboxApiServer(front);
  }

  /** Its URL, e.g. {@code http://127.0.0.1:41234}. */
  public String url() {
    return "http://127.0.0.1:" + server.port();
  }

  /** A kubeconfig of cluster {@code sandbox} pointing at it (the token is not checked). */
  public String kubeconfig() {
    return """
        apiVersion: v1
        kind: Config
        clusters:
        - name: sandbox
          cluster:
            server: "%s"
        contexts:
        - name: sandbox
          context:
            cluster: sandbox
            user: admin
        current-context: sandbox
        users:
        - name: admin
          user:
            token: not-checked
        """
        .formatted(url());
  }

  /** A client of its own, for the test's writes (closed with the server). */
  public KubernetesClient client() {
    return client;
  }

  /** How many requests it has answered (a watch counts once, when it opens). */
  public long requests() {
    return requests.get();
  }

  @Override
  public void close() {
    try {
      client.close();
      server.close();
    } finally {
      try {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (ExecutionException | TimeoutException e) {
        throw new IllegalStateException("cannot stop the API server's event loop", e);
      }
    }
  }
}
