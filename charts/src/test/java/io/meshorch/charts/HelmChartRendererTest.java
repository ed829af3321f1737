package io.meshorch.charts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Renders the vendored Cilium chart for real (Helm's engine, offline, about a second). */
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
  void reportsHelmsOwnErrorWhenTheChartRefusesTheValues() {
    assertThatThrownBy(
            () ->
                renderer.render(
                    ChartArchive.bundled(ChartArchive.CILIUM),
                    CILIUM,
                    Map.of("cluster", Map.of("name", "west", "id", 9999))))
        .isInstanceOf(ChartRenderException.class)
        .hasMessageContaining("cilium-1.18.12.tgz");
  }
}
