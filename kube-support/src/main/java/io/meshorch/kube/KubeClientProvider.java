package io.meshorch.kube;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.kubernetes.client.vertx5.Vertx5HttpClientFactory;
import io.meshorch.kit.failure.TerminalFailure;
import io.meshorch.kit.port.SecretStore;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Builds fabric8 clients for the clusters of a mesh from the admin kubeconfigs kept in the secret
 * store. The kubeconfig is read per call and never logged; every client gets the configured connect
 * and request timeouts, and fabric8's own retries are bounded.
 *
 * <p>All clients share one Vert.x instance (its event loops carry every request and watch), one
 * small pool for watch callbacks and one {@link KubernetesSerialization}, so a client per cluster
 * in flight costs little memory and no threads. The serialization matters: fabric8 gives each
 * client a fresh Jackson mapper otherwise, which introspects the model classes again for every
 * client; with hundreds of clusters in flight that was a sixth of the process's CPU and about 2 MB
 * of heap per cluster. Close the provider when the service stops.
 */
public final class KubeClientProvider implements AutoCloseable {
  private final SecretStore secrets;
  private final Duration connectTimeout;
  private final Duration requestTimeout;
  private final Vertx vertx;
  private final Vertx5HttpClientFactory http;
  private final ExecutorService callbacks;
  private final KubernetesSerialization serialization = new KubernetesSerialization();

  public KubeClientProvider(SecretStore secrets, Duration connectTimeout, Duration requestTimeout) {
    this.secrets = secrets;
    this.connectTimeout = connectTimeout;
    this.requestTimeout = requestTimeout;
    this.vertx =
        Vertx.vertx(
            new VertxOptions()
                .setEventLoopPoolSize(2)
                .setWorkerPoolSize(2)
                .setInternalBlockingPoolSize(2)
                .setUseDaemonThread(true));
    this.http = new Vertx5HttpClientFactory(vertx);
    AtomicInteger n = new AtomicInteger();
    this.callbacks =
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "kube-callbacks-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * A new client for the cluster whose kubeconfig is stored under {@code kubeconfigRef}; the caller
   * closes it (which leaves the shared event loops running).
   *
   * @throws TerminalFailure {@code KUBECONFIG_MISSING} when the reference names no secret, or
   *     {@code KUBECONFIG_INVALID} when the secret is not a usable kubeconfig
   */
  public KubernetesClient forCluster(String kubeconfigRef) {
    byte[] kubeconfig =
        secrets
            .get(kubeconfigRef)
            .orElseThrow(
                () ->
                    new TerminalFailure(
                        "KUBECONFIG_MISSING", "no kubeconfig stored under " + kubeconfigRef));
    Config config;
    try {
      config = Config.fromKubeconfig(new String(kubeconfig, StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      // The parser's message may quote the file: say only which secret is broken.
      throw new TerminalFailure(
          "KUBECONFIG_INVALID", "the kubeconfig under " + kubeconfigRef + " cannot be parsed");
    }
    config.setConnectionTimeout((int) connectTimeout.toMillis());
    config.setRequestTimeout((int) requestTimeout.toMillis());
    config.setRequestRetryBackoffLimit(3);
    config.setRequestRetryBackoffInterval(500);
    return new KubernetesClientBuilder()
        .withConfig(config)
        .withHttpClientFactory(http)
        .withKubernetesSerialization(serialization)
        .withTaskExecutor(callbacks)
        .build();
  }

  /** Stops the shared event loops and callback threads. */
  @Override
  public void close() {
    callbacks.shutdownNow();
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      // closing at shutdown: nothing left to do
    }
  }
}
