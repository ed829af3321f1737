package io.meshorch.kit.step;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.MeshDeleteRequested;
import io.meshorch.contracts.MeshEvent;
import io.meshorch.contracts.MeshRequested;
import io.meshorch.testkit.Samples;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class DeletionRequestsTest {
  private static final Instant T0 = Instant.parse("2026-11-30T10:00:00Z");

  private static EventEnvelope at(int second, MeshEvent payload) {
    return new EventEnvelope(
        UUID.randomUUID(),
        io.meshorch.contracts.EventType.of(payload).wireName(),
        "m",
        null,
        null,
        T0.plusSeconds(second),
        "meshctl",
        payload);
  }

  private static MeshRequested request(String... clusters) {
    int[] id = {0};
    return new MeshRequested(
        java.util.Arrays.stream(clusters).map(c -> Samples.cluster(c, ++id[0], 1)).toList());
  }

  @Test
  void aDeletionNewerThanTheLastRequestStopsTheClusterWhateverTheOrderTheFactsAreReadIn() {
    EventEnvelope up = at(0, request("east", "west"));
    EventEnvelope down = at(10, new MeshDeleteRequested());

    DeletionRequests inOrder = new DeletionRequests();
    inOrder.record(up);
    inOrder.record(down);
    DeletionRequests reRead = new DeletionRequests();
    reRead.record(down);
    reRead.record(up);
    reRead.record(up);

    for (DeletionRequests d : List.of(inOrder, reRead)) {
      assertThat(d.deleting("m", "east")).isTrue();
      assertThat(d.deleting("m", "west")).isTrue();
      assertThat(d.deleting("m", null)).as("mesh-level").isTrue();
      assertThat(d.deleting("other", "east")).as("another mesh").isFalse();
    }
  }

  @Test
  void aPruneStopsOnlyTheNamedClustersAndALaterUpBuildsTheClusterAgain() {
    DeletionRequests d = new DeletionRequests();
    d.record(at(0, request("east", "west")));
    d.record(at(5, request("east")));
    var deletion = d.record(at(6, new MeshDeleteRequested(List.of("west"))));

    assertThat(deletion).hasValue(new DeletionRequests.Deletion("m", List.of("west")));
    assertThat(d.deleting("m", "west")).isTrue();
    assertThat(d.deleting("m", "east")).isFalse();
    assertThat(d.deleting("m", null)).as("the mesh stays").isFalse();

    d.record(at(20, request("east", "west")));
    assertThat(d.deleting("m", "west")).isFalse();
  }

  @Test
  void aTriggerOfARunDeletedSinceStopsEvenAfterTheClusterIsRequestedAgain() {
    DeletionRequests d = new DeletionRequests();
    d.record(at(0, request("east", "west")));
    d.record(at(10, new MeshDeleteRequested()));
    d.record(at(20, request("east", "west")));

    assertThat(d.deleting("m", "east")).as("built again").isFalse();
    assertThat(d.stops("m", "east", T0.plusSeconds(8)))
        .as("a trigger of the deleted run, read late")
        .isTrue();
    assertThat(d.stops("m", "east", T0.plusSeconds(25))).as("a trigger of the new run").isFalse();
    assertThat(d.stops("m", null, T0.plusSeconds(8))).as("mesh-level, of the deleted run").isTrue();
    assertThat(d.stops("other", "east", T0.plusSeconds(8))).as("another mesh").isFalse();
  }

  @Test
  void anInvalidRequestAfterADeletionBuildsNothingSoTheClusterStaysStopped() {
    DeletionRequests d = new DeletionRequests();
    d.record(at(0, request("east")));
    d.record(at(10, new MeshDeleteRequested()));
    // two clusters with the same id: rejected, nothing of it is built
    d.record(
        at(
            20,
            new MeshRequested(List.of(Samples.cluster("east", 1, 1), Samples.cluster("x", 1, 1)))));

    assertThat(d.deleting("m", "east")).isTrue();
  }

  @Test
  void aClusterNeverDeletedOrOfAnUnknownMeshIsNotStopped() {
    DeletionRequests d = new DeletionRequests();
    assertThat(d.deleting("m", "east")).isFalse();
    d.record(at(0, request("east")));
    assertThat(d.record(at(1, request("east")))).isEmpty();
    assertThat(d.deleting("m", "east")).isFalse();
  }
}
