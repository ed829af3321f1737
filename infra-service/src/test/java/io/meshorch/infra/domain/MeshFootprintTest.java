package io.meshorch.infra.domain;

import static org.assertj.core.api.Assertions.assertThat;

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
}
