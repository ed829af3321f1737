package io.meshorch.kube;

import static org.assertj.core.api.Assertions.assertThat;
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
    Service assigned = service("2", "192.168.50.10");
    watchAnsweredOnceWith(gone("too old resource version: 1 (2)"));
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

  @Test
  void aFollowingWatchDropsWhatItKeptWhenTheServerEndsItAndKeepsWhatTheNewOneSays()
      throws Exception {
    Service pending = service("2", null);
    Service assigned = service("4", "192.168.50.10");
    // the first watch says the Service has no IP yet, then ends with 410 Gone (the IP was
    // assigned meanwhile, in an event the watch will never send); the second says it has one
    server
        .expect()
        .withPath(WATCH)
        .andUpgradeToWebSocket()
        .open()
        .waitFor(100)
        .andEmit(new WatchEvent(pending, "MODIFIED"))
        .waitFor(400)
        .andEmit(gone("too old resource version: 2 (3)"))
        .done()
        .once();
    server
        .expect()
        .withPath(WATCH)
        .andUpgradeToWebSocket()
        .open()
        .waitFor(1500)
        .andEmit(new WatchEvent(assigned, "MODIFIED"))
        .done()
        .once();
    AtomicInteger wakeUps = new AtomicInteger();

    KubeWatches.Followed<Service> watch =
        KubeWatches.follow(
            "the mesh endpoint",
            client.services().inNamespace("kube-system").withName("clustermesh-apiserver"),
            wakeUps::incrementAndGet);

    await("the first watch's version kept")
        .atMost(Duration.ofSeconds(10))
        .until(() -> watch.latest("clustermesh-apiserver").isPresent());
    assertThat(
            watch.latest("clustermesh-apiserver").orElseThrow().getMetadata().getResourceVersion())
        .isEqualTo("2");
    await("the version dropped when the server ended the watch")
        .atMost(Duration.ofSeconds(10))
        .until(() -> server.getRequestCount() >= 2);
    // until the new watch says something, nothing is kept: a reader asks the API server instead
    // of trusting a version older than a change it missed
    assertThat(watch.latest("clustermesh-apiserver")).isEmpty();
    assertThat(watch.heardWithin(Duration.ofMinutes(1))).isFalse();
    await("the new watch's version kept")
        .atMost(Duration.ofSeconds(10))
        .until(() -> watch.latest("clustermesh-apiserver").isPresent());
    assertThat(
            watch.latest("clustermesh-apiserver").orElseThrow().getMetadata().getResourceVersion())
        .isEqualTo("4");
    assertThat(wakeUps.get()).isGreaterThanOrEqualTo(3);
    watch.close();
    assertThat(watch.latest("clustermesh-apiserver")).isEmpty();
  }

  /** The event that ends a watch whose resource version the API server no longer has. */
  private static WatchEvent gone(String message) {
    return new WatchEvent(
        new StatusBuilder().withCode(410).withReason("Expired").withMessage(message).build(),
        "ERROR");
  }

  private static Service service(String resourceVersion, String ip) {
    ServiceBuilder service =
        new ServiceBuilder()
            .withNewMetadata()
            .withName("clustermesh-apiserver")
            .withNamespace("kube-system")
            .withResourceVersion(resourceVersion)
            .endMetadata();
    if (ip != null) {
      service
          .withNewStatus()
          .withNewLoadBalancer()
          .withIngress(new LoadBalancerIngressBuilder().withIp(ip).build())
          .endLoadBalancer()
          .endStatus();
    }
    return service.build();
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
