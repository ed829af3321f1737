package io.meshorch.infra.domain;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshorch.contracts.NodeInfo;
import io.meshorch.contracts.PortsUpdated;
import io.meshorch.testkit.Samples;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class MeshFootprintTest {
  private static final Instant T0 = Instant.parse("2026-11-25T00:00:00Z");
  private final MeshFootprint footprint = new MeshFootprint();

  @Test
  void aBuiltClusterIsLiveWithThePairsAddedForItUntilDeletedInWhateverOrderFactsArrive() {
    MeshFootprint.AddedPairs pairs = new MeshFootprint.AddedPairs("192.168.50.10", List.of("p1"));
    footprint.pairsAdded("m", "east", pairs, T0.plusSeconds(5));
    footprint.built("m", "east", T0);
    footprint.built("m", "west", T0);

    assertThat(footprint.liveClusters("m"))
        .containsExactly(
            new MeshFootprint.LiveCluster("east", java.util.Optional.of(pairs)),
            new MeshFootprint.LiveCluster("west", java.util.Optional.empty()));

    footprint.deleted("m", "east", T0.plusSeconds(9));
    footprint.built("m", "east", T0); // a replay of the old fact changes nothing
    assertThat(footprint.liveClusters("m"))
        .extracting(MeshFootprint.LiveCluster::name)
        .containsExactly("west");
    assertThat(footprint.liveClusters("other")).isEmpty();
  }

  @Test
  void aClusterBuiltAgainAfterItsDeletionIsLiveWithoutTheOldPairs() {
    footprint.built("m", "east", T0);
    footprint.pairsAdded(
        "m",
        "east",
        new MeshFootprint.AddedPairs("192.168.50.10", List.of("p1")),
        T0.plusSeconds(1));
    footprint.deleted("m", "east", T0.plusSeconds(2));

    footprint.built("m", "east", T0.plusSeconds(3));

    assertThat(footprint.liveClusters("m"))
        .containsExactly(new MeshFootprint.LiveCluster("east", java.util.Optional.empty()));
  }

  @Test
  void theLastPortsUpdatedOfAClusterCountsUntilTheClusterIsDeletedAndNotAfterItIsBuiltAgain() {
    PortsUpdated first = ported("192.168.50.10");
    PortsUpdated second = ported("192.168.50.11");
    footprint.built("m", "east", T0);
    footprint.ported("m", "east", second, T0.plusSeconds(9));
    footprint.ported(
        "m", "east", first, T0.plusSeconds(5)); // replayed late: older, changes nothing

    assertThat(footprint.lastPorted("m", "east")).contains(second);
    assertThat(footprint.liveClusters("m").get(0).pairs())
        .contains(new MeshFootprint.AddedPairs("192.168.50.11", List.of("p1")));

    footprint.deleted("m", "east", T0.plusSeconds(20));
    assertThat(footprint.lastPorted("m", "east")).isEmpty();
    footprint.built("m", "east", T0.plusSeconds(30));
    assertThat(footprint.lastPorted("m", "east")).as("built again, not ported yet").isEmpty();
    assertThat(footprint.lastPorted("m", "west")).isEmpty();
  }

  private static PortsUpdated ported(String ip) {
    return new PortsUpdated(
        Samples.cluster("east", 1, 1),
        List.of(new NodeInfo("n0", "srv-1", "p1", "10.0.0.5", List.of())),
        "kubeconfig/m/east",
        ip,
        2379,
        List.of("p1"));
  }
}
