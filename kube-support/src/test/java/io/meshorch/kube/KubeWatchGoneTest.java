package io.meshorch.kube;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.LoadBalancerIngressBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.WatchEvent;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * An API server that ends a watch with {@code 410 Gone} (its resource version expired, as after an
 * etcd compaction or an API server restart): fabric8 closes the watch for good, so a waiter would
 * be woken only by its own re-checks from then on.
 */
@EnableKubernetesMockClient
class KubeWatchGoneTest {
  private static final String WATCH =
      "/api/v1/namespaces/kube-system/services?allowWatchBookmarks=true"
          + "&fieldSelector=metadata.name%3Dclustermesh-apiserver&watch=true";

  KubernetesMockServer server;
  KubernetesClient client;

  @Test
  void aWatchTheServerEndsWithGoneIsOpenedAgainAndStillWakesTheWaiter() throws Exception {
    Service assigned =
        new ServiceBuilder()
            .withNewMetadata()
            .withName("clustermesh-apiserver")
            .withNamespace("kube-system")
            .withResourceVersion("2")
            .endMetadata()
            .withNewStatus()
            .withNewLoadBalancer()
            .withIngress(new LoadBalancerIngressBuilder().withIp("192.168.50.10").build())
            .endLoadBalancer()
            .endStatus()
            .build();
    watchAnsweredOnceWith(
        new WatchEvent(
            new StatusBuilder()
                .withCode(410)
                .withReason("Expired")
                .withMessage("too old resource version: 1 (2)")
                .build(),
            "ERROR"));
    watchAnsweredOnceWith(new WatchEvent(assigned, "MODIFIED"));
    AtomicInteger wakeUps = new AtomicInteger();

    AutoCloseable watch =
        KubeWatches.nudgeOnChange(
            "the mesh endpoint",
            client.services().inNamespace("kube-system").withName("clustermesh-apiserver"),
            wakeUps::incrementAndGet);

    await("the watch opened again and the IP's change seen")
        .atMost(Duration.ofSeconds(10))
        .until(() -> server.getRequestCount() >= 2 && wakeUps.get() >= 2);
    watch.close();
  }

  /** The next watch request opens and gets {@code event} after 100 ms. */
  private void watchAnsweredOnceWith(WatchEvent event) {
    server
        .expect()
        .withPath(WATCH)
        .andUpgradeToWebSocket()
        .open()
        .waitFor(100)
        .andEmit(event)
        .done()
        .once();
  }
}
