package io.meshorch.sandbox.kube;

import static io.meshorch.sandbox.kube.KubeFixture.KS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.vertx5.Vertx5HttpClientFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client closing its watch while the API server is sending it events, as the services do when a
 * step ends: a real API server goes on answering everyone else. fabric8's mock server, which the
 * sandbox's API servers are built on, did not: it handled the close on its HTTP event loop by
 * waiting for the watch's sender thread to finish, and that thread was waiting for the same event
 * loop to write its last event; the loop, and every connection it served, stood still for the
 * sender's 30 s write timeout.
 */
class WatchCloseIT {
  private static final int CLOSES = 30;

  @TempDir Path dir;
  private SandboxKube kube;
  private SandboxCluster cluster;
  private KubernetesClient client;

  @BeforeEach
  void start() throws Exception {
    kube = SandboxKube.builder().build().start();
    cluster = KubeFixture.up(kube, dir, "east", "127.20.9.1");
    Config config = Config.fromKubeconfig(cluster.kubeconfig());
    // A read the server holds up fails the test instead of waiting for it.
    config.setRequestTimeout(5_000);
    config.setRequestRetryBackoffLimit(0);
    // Its own Vert.x, as a service's client has: the server's event loops are the server's.
    client =
        new KubernetesClientBuilder()
            .withConfig(config)
            .withHttpClientFactory(new Vertx5HttpClientFactory())
            .build();
  }

  @AfterEach
  void stop() {
    client.close();
    kube.close();
  }

  @Test
  void closingAWatchWhileItsEventsAreSentHoldsUpNoOtherRequest() throws Exception {
    client.configMaps().inNamespace(KS).resource(configMap(0)).create();
    AtomicBoolean writing = new AtomicBoolean(true);
    AtomicLong written = new AtomicLong();
    Thread writer =
        new Thread(
            () -> {
              while (writing.get()) {
                client
                    .configMaps()
                    .inNamespace(KS)
                    .resource(configMap(written.incrementAndGet()))
                    .update();
              }
            },
            "configmap-writer");
    writer.start();
    try {
      for (int i = 0; i < CLOSES; i++) {
        CountDownLatch seen = new CountDownLatch(3);
        Watch watch = watchBeat((action, cm) -> seen.countDown());
        assertThat(seen.await(10, TimeUnit.SECONDS)).as("events seen by watch %d", i).isTrue();
        // Closed while the writer's changes are still being sent to it.
        watch.close();

        // Fails with the client's timeout when the server does not answer.
        ConfigMap read = client.configMaps().inNamespace(KS).withName("beat").get();
        assertThat(read).as("read after closing watch %d", i).isNotNull();
      }
    } finally {
      writing.set(false);
      writer.join(10_000);
    }
  }

  @Test
  void aWatchIsToldWhatIsStoredThenEveryChangeInOrderAndEndsWhenClosed() throws Exception {
    client.configMaps().inNamespace(KS).resource(configMap(0)).create();
    int before = cluster.watchesOpen();
    List<String> seen = new CopyOnWriteArrayList<>();
    Watch watch = watchBeat((action, cm) -> seen.add(action + " " + cm.getData().get("beat")));
    await().atMost(Duration.ofSeconds(10)).until(() -> seen.contains("ADDED 0"));
    for (long beat = 1; beat <= 20; beat++) {
      client.configMaps().inNamespace(KS).resource(configMap(beat)).update();
    }
    // Another object of the same resource is not this watch's.
    client
        .configMaps()
        .inNamespace(KS)
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName("other")
                .withNamespace(KS)
                .endMetadata()
                .addToData("beat", "x")
                .build())
        .create();
    client.configMaps().inNamespace(KS).withName("beat").delete();

    List<String> expected = new ArrayList<>(List.of("ADDED 0"));
    for (long beat = 1; beat <= 20; beat++) {
      expected.add("MODIFIED " + beat);
    }
    expected.add("DELETED 20");
    await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() >= expected.size());
    assertThat(seen).containsExactlyElementsOf(expected);
    assertThat(cluster.watchesOpen()).isEqualTo(before + 1);

    watch.close();

    await().atMost(Duration.ofSeconds(10)).until(() -> cluster.watchesOpen() == before);
  }

  @Test
  void aWatchOfOneNameInEveryNamespaceIsToldOfEachStoredOne() throws Exception {
    client.configMaps().inNamespace(KS).resource(configMap(1)).create();
    client.configMaps().inNamespace("default").resource(configMap(2)).create();
    List<String> seen = new CopyOnWriteArrayList<>();
    Watch watch =
        client
            .configMaps()
            .inAnyNamespace()
            .withField("metadata.name", "beat")
            .watch(
                watcher((action, cm) -> seen.add(action + " " + cm.getMetadata().getNamespace())));
    try {
      await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() >= 2);
      assertThat(seen).containsExactlyInAnyOrder("ADDED " + KS, "ADDED default");
    } finally {
      watch.close();
    }
  }

  /** A watch of ConfigMap {@code kube-system/beat}, each event handed to {@code events}. */
  private Watch watchBeat(BiConsumer<Watcher.Action, ConfigMap> events) {
    return client.configMaps().inNamespace(KS).withName("beat").watch(watcher(events));
  }

  private static Watcher<ConfigMap> watcher(BiConsumer<Watcher.Action, ConfigMap> events) {
    return new Watcher<>() {
      @Override
      public void eventReceived(Action action, ConfigMap cm) {
        events.accept(action, cm);
      }

      @Override
      public void onClose(WatcherException cause) {}
    };
  }

  private static ConfigMap configMap(long beat) {
    return new ConfigMapBuilder()
        .withNewMetadata()
        .withName("beat")
        .withNamespace(KS)
        .endMetadata()
        .withData(Map.of("beat", Long.toString(beat)))
        .build();
  }
}
