package io.meshorch.charts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Renders the kept Cilium chart for real (Helm's engine, offline, a few tenths of a second each
 * once the native library is loaded), also on several threads at once.
 */
class HelmChartRendererTest {
  private static final HelmRelease CILIUM = new HelmRelease("cilium", "kube-system", "1.32.0");
  private final HelmChartRenderer renderer = new HelmChartRenderer(new KubernetesSerialization());

  @Test
  void rendersTheCiliumChartIntoFabric8ObjectsWithTheGivenValues() {
    List<HasMetadata> objects =
        renderer.render(
            ChartArchive.bundled(ChartArchive.CILIUM),
            CILIUM,
            Map.of(
                "cluster", Map.of("name", "west", "id", 7),
                "hubble", Map.of("enabled", false),
                "ipam",
                    Map.of(
                        "mode",
                        "cluster-pool",
                        "operator",
                        Map.of("clusterPoolIPv4PodCIDRList", List.of("10.1.0.0/16")))));

    ConfigMap config =
        objects.stream()
            .filter(
                o -> o instanceof ConfigMap && "cilium-config".equals(o.getMetadata().getName()))
            .map(ConfigMap.class::cast)
            .findFirst()
            .orElseThrow();
    assertThat(config.getMetadata().getNamespace()).isEqualTo("kube-system");
    assertThat(config.getData())
        .containsEntry("cluster-name", "west")
        .containsEntry("cluster-id", "7")
        .containsEntry("cluster-pool-ipv4-cidr", "10.1.0.0/16");
    assertThat(objects)
        .extracting(HasMetadata::getKind)
        .contains("ServiceAccount", "ClusterRole", "ClusterRoleBinding", "DaemonSet", "Deployment");
  }

  @Test
  void rendersOnSeveralThreadsAtOnceGiveExactlyWhatOneAfterAnotherGives() throws Exception {
    ChartArchive chart = ChartArchive.bundled(ChartArchive.CILIUM);
    int clusters = 4;
    HelmChartRenderer concurrent = new HelmChartRenderer(new KubernetesSerialization(), clusters);
    List<String> sequentialYaml = new ArrayList<>();
    List<List<HasMetadata>> sequentialObjects = new ArrayList<>();
    for (int c = 0; c < clusters; c++) {
      sequentialYaml.add(renderer.renderYaml(chart, CILIUM, CiliumTestValues.cluster(c)));
      sequentialObjects.add(renderer.render(chart, CILIUM, CiliumTestValues.cluster(c)));
    }

    // Every cluster on its own thread, all released at once: twice as text, twice as objects.
    ExecutorService pool = Executors.newFixedThreadPool(clusters);
    try {
      for (int round = 0; round < 4; round++) {
        boolean asText = round % 2 == 0;
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Object>> results = new ArrayList<>();
        for (int c = 0; c < clusters; c++) {
          Map<String, Object> values = CiliumTestValues.cluster(c);
          results.add(
              pool.submit(
                  () -> {
                    assertThat(go.await(30, TimeUnit.SECONDS)).as("released").isTrue();
                    return asText
                        ? concurrent.renderYaml(chart, CILIUM, values)
                        : concurrent.render(chart, CILIUM, values);
                  }));
        }
        go.countDown();
        if (round == 0) {
          // Helm itself runs more than one render at a time (not only our threads).
          await()
              .atMost(Duration.ofSeconds(60))
              .pollInterval(Duration.ofMillis(1))
              .until(() -> concurrent.rendersInProgress() > 1);
        }
        for (int c = 0; c < clusters; c++) {
          Object result = results.get(c).get(90, TimeUnit.SECONDS);
          assertThat(result)
              .as("cluster c%d, round %d", c, round)
              .isEqualTo(asText ? sequentialYaml.get(c) : sequentialObjects.get(c));
        }
      }
    } finally {
      pool.shutdownNow();
    }

    // Each cluster got its own values, not a neighbour's.
    for (int c = 0; c < clusters; c++) {
      assertThat(ciliumConfig(sequentialObjects.get(c)).getData())
          .containsEntry("cluster-name", "c" + c)
          .containsEntry("cluster-id", String.valueOf(1 + c))
          .containsEntry("cluster-pool-ipv4-cidr", "10." + c + ".0.0/16");
    }
  }

  @Test
  void aRenderInterruptedBeforeItStartsGivesUpAndKeepsTheInterrupt() {
    ChartArchive chart = ChartArchive.bundled(ChartArchive.CILIUM);
    Map<String, Object> values = CiliumTestValues.cluster(1);
    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(() -> renderer.render(chart, CILIUM, values))
          .isInstanceOf(CancellationException.class)
          .hasMessageContaining("interrupted while waiting to render cilium-1.18.12.tgz");
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted();
    }
  }

  @Test
  void refusesFewerThanOneRenderAtATime() {
    assertThatThrownBy(() -> new HelmChartRenderer(new KubernetesSerialization(), 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxConcurrentRenders must be at least 1");
    assertThat(renderer.maxConcurrentRenders())
        .isEqualTo(Runtime.getRuntime().availableProcessors());
  }

  private static ConfigMap ciliumConfig(List<HasMetadata> objects) {
    return objects.stream()
        .filter(o -> o instanceof ConfigMap && "cilium-config".equals(o.getMetadata().getName()))
        .map(ConfigMap.class::cast)
        .findFirst()
        .orElseThrow();
  }

  @Test
  void reportsHelmsOwnErrorWhenTheChartRefusesTheValues() {
    assertThatThrownBy(
            () ->
                renderer.render(
                    ChartArchive.bundled(ChartArchive.CILIUM),
                    CILIUM,
                    Map.of(
                        "cluster", Map.of("name", "West_1", "id", 7),
                        "hubble", Map.of("enabled", false))))
        .isInstanceOf(ChartRenderException.class)
        .hasMessageContaining("cilium-1.18.12.tgz")
        .hasMessageContaining("The cluster name is invalid");
  }
}
