package io.meshorch.mesh.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ClusterConnectionTest {
  private static ClusterMember member(String name, int id, String ip) {
    return new ClusterMember(name, id, "ref/" + name, ip, 2379, List.of(name + "-n0"));
  }

  @Test
  void givesEveryClusterAllOtherClustersSortedByName() {
    List<ClusterConnection> plan =
        ClusterConnection.plan(
            List.of(
                member("west", 2, "192.168.52.10"),
                member("east", 1, "192.168.51.10"),
                member("north", 3, "192.168.53.10")));

    assertThat(plan).extracting(c -> c.member().name()).containsExactly("east", "north", "west");
    assertThat(plan.get(0).remotes())
        .containsExactly(
            new RemoteCluster("north", "192.168.53.10", 2379),
            new RemoteCluster("west", "192.168.52.10", 2379));
    assertThat(plan.get(2).remotes())
        .containsExactly(
            new RemoteCluster("east", "192.168.51.10", 2379),
            new RemoteCluster("north", "192.168.53.10", 2379));
  }

  @Test
  void aSingleClusterMeshHasNoRemotes() {
    assertThat(ClusterConnection.plan(List.of(member("solo", 1, "10.0.0.1"))))
        .singleElement()
        .satisfies(c -> assertThat(c.remotes()).isEmpty());
  }

  @Test
  void pointsTheAgentsAtTheLocalKvstoreMeshAndKvstoreMeshAtEachRemote() {
    ClusterConnection east =
        ClusterConnection.plan(
                List.of(member("east", 1, "192.168.51.10"), member("west", 2, "192.168.52.10")))
            .get(0);

    assertThat(east.agentSecretData())
        .containsExactly(
            java.util.Map.entry(
                "west",
                new EtcdClientConfig(
                    "https://clustermesh-apiserver.kube-system.svc:2379",
                    "/var/lib/cilium/clustermesh/local-etcd-client-ca.crt",
                    "/var/lib/cilium/clustermesh/local-etcd-client.key",
                    "/var/lib/cilium/clustermesh/local-etcd-client.crt")));
    assertThat(east.kvstoremeshSecretData())
        .containsExactly(
            java.util.Map.entry(
                "west",
                new EtcdClientConfig(
                    "https://west.mesh.cilium.io:2379",
                    "/var/lib/cilium/clustermesh/common-etcd-client-ca.crt",
                    "/var/lib/cilium/clustermesh/common-etcd-client.key",
                    "/var/lib/cilium/clustermesh/common-etcd-client.crt")));
    assertThat(east.remotes().get(0).hostname()).isEqualTo("west.mesh.cilium.io");
  }
}
