package io.meshorch.mesh.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshorch.contracts.MeshReady;
import io.meshorch.contracts.MeshReady.MeshClusterView;
import io.meshorch.contracts.MeshReady.RemoteNodes;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class MeshVerdictTest {
  private static final ClusterMember EAST =
      new ClusterMember("east", 1, "ref/east", "192.168.51.10", 2379, List.of("e1", "e0"));
  private static final ClusterMember WEST =
      new ClusterMember("west", 2, "ref/west", "192.168.50.10", 2379, List.of("w0", "w1"));

  private static final RemoteStatus EAST_READY =
      new RemoteStatus("east", true, "2 nodes, 2 endpoints", 2, null);
  private static final RemoteStatus WEST_READY =
      new RemoteStatus("west", true, "2 nodes, 2 endpoints", 2, null);

  private static AgentReport agent(String pod, List<RemoteStatus> remotes, String... nodes) {
    return AgentReport.of(pod, List.of(nodes), remotes);
  }

  private static final AgentReport EAST_OK =
      agent("cilium-e", List.of(WEST_READY), "east/e0", "east/e1", "west/w0", "west/w1");
  private static final AgentReport WEST_OK =
      agent("cilium-w", List.of(EAST_READY), "west/w0", "west/w1", "east/e1", "east/e0");

  static Stream<Arguments> verdicts() {
    return Stream.of(
        Arguments.of("healthy", Map.of("east", List.of(EAST_OK), "west", List.of(WEST_OK)), ""),
        Arguments.of(
            "west not connected",
            Map.of(
                "east",
                List.of(EAST_OK),
                "west",
                List.of(
                    agent(
                        "cilium-w",
                        List.of(
                            new RemoteStatus(
                                "east",
                                false,
                                "not connected",
                                0,
                                "dial tcp 192.168.50.10:2379: i/o timeout")),
                        "west/w0",
                        "west/w1"))),
            "cluster west does not see cluster east: not connected; last failure: dial tcp"
                + " 192.168.50.10:2379: i/o timeout"),
        Arguments.of(
            "east lacks the mesh config",
            Map.of(
                "east",
                List.of(agent("cilium-e", List.of(), "east/e0", "east/e1")),
                "west",
                List.of(WEST_OK)),
            "cluster east does not see cluster west: not configured (agent cilium-e reports no"
                + " cluster-mesh status for it)"),
        Arguments.of(
            "one node missing, one unexpected",
            Map.of(
                "east",
                List.of(EAST_OK),
                "west",
                List.of(agent("cilium-w", List.of(EAST_READY), "west/w0", "east/e0", "east/e9"))),
            "cluster west does not see cluster east: sees 1/2 nodes; missing e1; unexpected e9"
                + " (status: 2 nodes, 2 endpoints)"),
        Arguments.of(
            "second agent of east behind",
            Map.of(
                "east",
                List.of(
                    EAST_OK,
                    agent(
                        "cilium-e2",
                        List.of(new RemoteStatus("west", false, "not connected", 0, ""))),
                    EAST_OK),
                "west",
                List.of(WEST_OK)),
            "cluster east does not see cluster west: not connected"),
        Arguments.of(
            "no agents in west",
            Map.of("east", List.of(EAST_OK)),
            "cluster west: no Cilium agent pods (label k8s-app=cilium in kube-system)"),
        Arguments.of(
            "unreadable agent",
            Map.of(
                "east",
                List.of(EAST_OK),
                "west",
                List.of(AgentReport.unreadable("cilium-w", "exec timed out after 10 s"))),
            "cluster west: agent cilium-w cannot be read: exec timed out after 10 s"),
        Arguments.of(
            "both sides down",
            Map.of(
                "east",
                List.of(agent("cilium-e", List.of(new RemoteStatus("west", false, "", 0, null)))),
                "west",
                List.of(
                    agent(
                        "cilium-w",
                        List.of(
                            new RemoteStatus(
                                "east",
                                false,
                                "not connected",
                                0,
                                "remote cluster configuration required but not found"))))),
            "cluster east does not see cluster west: not ready | cluster west does not see"
                + " cluster east: not connected; last failure: remote cluster configuration"
                + " required but not found"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("verdicts")
  void namesWhichClusterDoesNotSeeWhichAndWhy(
      String name, Map<String, List<AgentReport>> reports, String reason) {
    MeshVerdict verdict = MeshVerdict.evaluate(List.of(WEST, EAST), reports);

    assertThat(verdict.reason()).isEqualTo(reason);
    assertThat(verdict.healthy()).isEqualTo(reason.isEmpty());
  }

  @Test
  void countsSeenNodesForTheProgressMessage() {
    MeshVerdict verdict =
        MeshVerdict.evaluate(
            List.of(EAST, WEST),
            Map.of(
                "east",
                List.of(agent("cilium-e", List.of(WEST_READY), "west/w1")),
                "west",
                List.of(
                    agent(
                        "cilium-w",
                        List.of(new RemoteStatus("east", false, "not connected", 0, null))))));

    assertThat(verdict.progress())
        .isEqualTo("waiting for agents: east sees 1/2 nodes of west, west sees 0/2 nodes of east");
    assertThat(verdict.blamedCluster()).isEqualTo("east");
  }

  @Test
  void buildsTheSortedNodeTableOfAHealthyMesh() {
    ClusterMember north =
        new ClusterMember("north", 3, "ref/north", "192.168.53.10", 2379, List.of("n0"));
    Map<String, List<AgentReport>> reports =
        Map.of(
            "east",
            List.of(agent("a", List.of(), "west/w1", "west/w0", "north/n0")),
            "west",
            List.of(agent("b", List.of(), "east/e0", "east/e1", "north/n0")),
            "north",
            List.of(agent("c", List.of(), "east/e0", "east/e1", "west/w0", "west/w1")));

    MeshReady table = MeshVerdict.evaluate(List.of(WEST, north, EAST), reports).nodeTable();

    assertThat(table.clusters())
        .containsExactly(
            new MeshClusterView(
                "east",
                1,
                List.of("e0", "e1"),
                "192.168.51.10",
                List.of(
                    new RemoteNodes("north", List.of("n0")),
                    new RemoteNodes("west", List.of("w0", "w1")))),
            new MeshClusterView(
                "north",
                3,
                List.of("n0"),
                "192.168.53.10",
                List.of(
                    new RemoteNodes("east", List.of("e0", "e1")),
                    new RemoteNodes("west", List.of("w0", "w1")))),
            new MeshClusterView(
                "west",
                2,
                List.of("w0", "w1"),
                "192.168.50.10",
                List.of(
                    new RemoteNodes("east", List.of("e0", "e1")),
                    new RemoteNodes("north", List.of("n0")))));
  }

  @Test
  void refusesANodeTableForAnUnhealthyMesh() {
    MeshVerdict verdict = MeshVerdict.evaluate(List.of(EAST, WEST), Map.of());
    assertThatThrownBy(verdict::nodeTable).isInstanceOf(IllegalStateException.class);
  }
}
