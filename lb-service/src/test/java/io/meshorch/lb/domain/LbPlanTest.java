package io.meshorch.lb.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshorch.contracts.ClusterSpec;
import io.meshorch.testkit.Samples;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class LbPlanTest {
  private static final MetalLbRelease RELEASE = new MetalLbRelease("0.15.3");

  private static ClusterSpec withPool(String pool) {
    ClusterSpec s = Samples.cluster("east", 1, 1);
    return new ClusterSpec(
        s.name(), s.id(), s.nodeCount(), s.podCidr(), s.serviceCidr(), pool, s.machine());
  }

  @ParameterizedTest(name = "{1} in {0} -> {2}")
  @CsvSource({
    "192.168.51.16/28, 192.168.51.16, INSIDE_POOL",
    "192.168.51.16/28, 192.168.51.31, INSIDE_POOL",
    "192.168.51.16/28, 192.168.51.32, OUTSIDE_POOL",
    "192.168.51.16/28, 192.168.51.15, OUTSIDE_POOL",
    "192.168.51.10-192.168.51.19, 192.168.51.10, INSIDE_POOL",
    "192.168.51.10-192.168.51.19, 192.168.51.19, INSIDE_POOL",
    "192.168.51.10-192.168.51.19, 192.168.51.20, OUTSIDE_POOL",
    "192.168.51.10-192.168.51.19, 10.0.0.1, OUTSIDE_POOL",
    "192.168.51.10-192.168.51.19, fd00::1, NOT_IPV4",
    "192.168.51.10-192.168.51.19, lb.example.com, NOT_IPV4",
  })
  void judgesTheAssignedIpAgainstTheClusterPool(String pool, String ip, IpVerdict expected) {
    LbPlan plan = LbPlan.forCluster(withPool(pool), RELEASE, false);

    assertThat(plan.pool().judge(ip)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} starts at {1}")
  @CsvSource({"192.168.51.16/28, 192.168.51.16", "192.168.51.10-192.168.51.19, 192.168.51.10"})
  void rendersThePoolAndPinsItsFirstAddressWhenAsked(String pool, String first) {
    LbPlan pinned = LbPlan.forCluster(withPool(pool), RELEASE, true);
    LbPlan free = LbPlan.forCluster(withPool(pool), RELEASE, false);

    assertThat(pinned.pool().addresses()).containsExactly(pool);
    assertThat(pinned.endpoint().pinnedIp()).contains(first);
    assertThat(pinned.endpoint().annotations())
        .isEqualTo(Map.of("metallb.io/loadBalancerIPs", first));
    assertThat(free.endpoint().pinnedIp()).isEmpty();
    assertThat(free.endpoint().annotations()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"192.168.51.17/28", "192.168.51.19-192.168.51.10", "not-a-pool", " "})
  void rejectsAMalformedPoolNamingTheField(String pool) {
    assertThatThrownBy(() -> LbPlan.forCluster(withPool(pool), RELEASE, false))
        .isInstanceOf(InvalidLbConfigException.class)
        .hasMessageContaining("cluster.lbAddressPool");
  }

  @Test
  void rejectsAMissingPool() {
    assertThatThrownBy(() -> LbPlan.forCluster(withPool(null), RELEASE, false))
        .isInstanceOf(InvalidLbConfigException.class)
        .hasMessageContaining("cluster.lbAddressPool is required");
  }

  @Test
  void acceptsThePoolOnlyWhenTheClusterStoresExactlyWhatWasWritten() {
    AddressPoolSpec pool = AddressPoolSpec.of("192.168.51.16/28");

    assertThat(pool.acceptedAs(List.of("192.168.51.16/28"))).isTrue();
    assertThat(pool.acceptedAs(List.of())).isFalse();
    assertThat(pool.acceptedAs(null)).isFalse();
    assertThat(pool.acceptedAs(List.of("192.168.51.0/24"))).isFalse();
    assertThat(pool.acceptedAs(List.of("192.168.51.16/28", "10.0.0.0/8"))).isFalse();
  }

  @Test
  void refusesAVersionWithALeadingV() {
    assertThat(RELEASE.version()).isEqualTo("0.15.3");
    assertThatThrownBy(() -> new MetalLbRelease("v0.15.3")).hasMessageContaining("no leading v");
  }

  @Test
  void describesTheMeshEndpointService() {
    MeshEndpointService endpoint = new MeshEndpointService(Optional.empty());

    assertThat(MeshEndpointService.NAMESPACE + "/" + MeshEndpointService.NAME)
        .isEqualTo("kube-system/clustermesh-apiserver");
    assertThat(endpoint.annotations()).isEmpty();
  }

  @Test
  void aMeshEndpointMustBeCiliumsServiceOfTypeLoadBalancer() {
    assertThat(MeshEndpointService.defectOf(Optional.of("LoadBalancer"))).isEmpty();
    assertThat(MeshEndpointService.defectOf(Optional.empty()))
        .hasValueSatisfying(
            d -> {
              assertThat(d.code()).isEqualTo("MESH_ENDPOINT_MISSING");
              assertThat(d.seen())
                  .isEqualTo("Service kube-system/clustermesh-apiserver does not exist");
            });
    assertThat(MeshEndpointService.defectOf(Optional.of("NodePort")))
        .hasValueSatisfying(
            d -> {
              assertThat(d.code()).isEqualTo("MESH_ENDPOINT_NOT_LOADBALANCER");
              assertThat(d.seen())
                  .startsWith(
                      "Service kube-system/clustermesh-apiserver has spec.type NodePort,"
                          + " expected spec.type LoadBalancer");
            });
  }

  @Test
  void aMeshEndpointFailureSaysWhatWasSeenTheRuleAndWhatToCheck() {
    String reason =
        MeshEndpointService.defectOf(Optional.of("ClusterIP"))
            .orElseThrow()
            .failure("1m, mesh.metallb.endpoint-timeout");

    assertThat(reason)
        .startsWith(
            "Service kube-system/clustermesh-apiserver has spec.type ClusterIP, expected spec.type"
                + " LoadBalancer")
        .contains(
            "(still after 1m, mesh.metallb.endpoint-timeout)",
            "cni-service installs it from the Cilium chart",
            "clustermesh.apiserver.service.type=LoadBalancer",
            "lb-service never creates or changes it",
            "kubectl -n kube-system get service clustermesh-apiserver -o jsonpath='{.spec.type}'")
        .hasSizeLessThan(1_000);
  }
}
