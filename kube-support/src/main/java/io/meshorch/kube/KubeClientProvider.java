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
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Builds fabric8 clients for the clusters of a mesh from the admin kubeconfigs kept in the secret
 * store. The kubeconfig is read per call and never logged; every client gets the configured connect
 * and request timeouts, and fabric8's own retries are bounded ({@value #RETRIES}, from {@value
 * #RETRY_FIRST_MILLIS} ms).
 *
 * <p>All clients share one Vert.x instance (its event loops carry every request and watch), one
 * small pool for watch callbacks and one {@link KubernetesSerialization}, so a client per cluster
 * in flight costs little memory and no threads. The serialization matters: fabric8 gives each
 * client a fresh Jackson mapper otherwise, which introspects the model classes again for every
 * client; with hundreds of clusters in flight that was a sixth of the process's CPU and about 2 MB
 * of heap per cluster.
 *
 * <p>Clients are built once per cluster and reused: a step re-checks a rollout or an IP every few
 * hundred milliseconds, and building a client each time (parsing the kubeconfig, building the HTTP
 * client, a fresh TLS handshake) was a tenth of the process's CPU with sixteen clusters in flight.
 * A client is rebuilt when the stored kubeconfig changes (a new {@code rke up} issues new
 * credentials), and the least recently used clients beyond {@value #MAX_CLIENTS} are closed. What
 * {@link #forCluster} returns is a shared view whose {@code close()} does nothing, so callers may
 * keep using try-with-resources. Close the provider when the service stops.
 */
public final class KubeClientProvider implements AutoCloseable {
  private final SecretStore secrets;
  private final Duration connectTimeout;
  private final Duration requestTimeout;
  private final Vertx vertx;
  private final Vertx5HttpClientFactory http;
  private final ExecutorService callbacks;
  private final KubernetesSerialization serialization = new KubernetesSerialization();

  /** fabric8's own retries of a call, and the pause before the first (doubling after). */
  static final int RETRIES = 3;

  static final int RETRY_FIRST_MILLIS = 100;

  /** Clients kept at most; the least recently used beyond that are closed. */
  public static final int MAX_CLIENTS = 1024;

  /** One cluster's client and the digest of the kubeconfig it was built from. */
  private record Cached(byte[] digest, KubernetesClient client, KubernetesClient view) {}

  private final Map<String, Cached> cache =
      new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Cached> eldest) {
          if (size() > MAX_CLIENTS) {
            eldest.getValue().client().close();
            return true;
          }
          return false;
        }
      };

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
   * The client of the cluster whose kubeconfig is stored under {@code kubeconfigRef}: shared with
   * every other caller for that cluster, built again when the stored kubeconfig changed. Closing it
   * does nothing; the provider closes it.
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
    byte[] digest = sha256(kubeconfig);
    Cached fresh;
    Cached stale;
    synchronized (cache) {
      stale = cache.get(kubeconfigRef);
      if (stale != null && Arrays.equals(stale.digest(), digest)) {
        return stale.view();
      }
      KubernetesClient client = build(kubeconfigRef, kubeconfig);
      fresh = new Cached(digest, client, nonClosing(client));
      cache.put(kubeconfigRef, fresh);
    }
    if (stale != null) {
      // calls in flight on the old credentials fail and are retried by their step
      stale.client().close();
    }
    return fresh.view();
  }

  private KubernetesClient build(String kubeconfigRef, byte[] kubeconfig) {
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
    // fabric8 retries a failed connection, a 429 and a 5xx itself: three times, from 100 ms
    // (fabric8's default interval), doubling. Only blips are its to smooth over; what takes longer
    // (a webhook not served yet, an API server restarting) is the steps' to wait for, on their
    // re-checks and retries, where it is said and bounded.
    config.setRequestRetryBackoffLimit(RETRIES);
    config.setRequestRetryBackoffInterval(RETRY_FIRST_MILLIS);
    return new KubernetesClientBuilder()
        .withConfig(config)
        .withHttpClientFactory(http)
        .withKubernetesSerialization(serialization)
        .withTaskExecutor(callbacks)
        .build();
  }

  /**
   * A view of {@code client} whose {@code close()} does nothing: the client is shared, and one
   * caller's try-with-resources must not close it under the others.
   */
  private static KubernetesClient nonClosing(KubernetesClient client) {
    return (KubernetesClient)
        Proxy.newProxyInstance(
            KubernetesClient.class.getClassLoader(),
            new Class<?>[] {KubernetesClient.class},
            (proxy, method, args) -> {
              if (isClose(method)) {
                return null;
              }
              try {
                return method.invoke(client, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }

  private static boolean isClose(Method method) {
    return method.getName().equals("close") && method.getParameterCount() == 0;
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  /** Closes every client, then stops the shared event loops and callback threads. */
  @Override
  public void close() {
    synchronized (cache) {
      cache.values().forEach(c -> c.client().close());
      cache.clear();
    }
    callbacks.shutdownNow();
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      // closing at shutdown: nothing left to do
    }
  }
}
