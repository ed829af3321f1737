package io.meshorch.meshctl.follow;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.MeshDeleted;
import io.meshorch.contracts.MeshEvent;
import io.meshorch.contracts.MeshFailed;
import io.meshorch.contracts.MeshRejected;
import io.meshorch.contracts.MeshRequested;
import io.meshorch.contracts.Violation;
import io.meshorch.testkit.Samples;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class LastRequestTest {
  private static final Instant T0 = Instant.parse("2026-11-25T00:00:00Z");

  private static EventEnvelope at(int second, String meshId, UUID causation, MeshEvent payload) {
    EventEnvelope e = EventEnvelope.create(meshId, null, causation, "x", payload);
    return new EventEnvelope(
        e.eventId(), e.type(), meshId, null, causation, T0.plusSeconds(second), "x", payload);
  }

  private static EventEnvelope request(int second, String meshId, String cluster) {
    return at(second, meshId, null, new MeshRequested(List.of(Samples.cluster(cluster, 1, 1))));
  }

  private static MeshRejected rejection() {
    return new MeshRejected(List.of(new Violation("clusters[0].id", "must be 1..255")));
  }

  @Test
  void aMeshWithoutHistoryHasNoLastRequest() {
    assertThat(LastRequest.of(List.of(request(0, "other", "east")), "demo")).isEmpty();
  }

  @Test
  void theLatestRequestCountsEvenWhenTheMeshFailed() {
    EventEnvelope first = request(0, "demo", "east");
    EventEnvelope second = request(10, "demo", "west");
    MeshFailed failed = new MeshFailed("vms", "west", "HEAT_STACK_FAILED", "no quota", false);

    assertThat(
            LastRequest.of(
                List.of(first, second, at(20, "demo", second.eventId(), failed)), "demo"))
        .contains(second);
  }

  @Test
  void aRejectedRequestDoesNotCountEvenWhenOtherEventsCameBetween() {
    EventEnvelope accepted = request(0, "demo", "east");
    EventEnvelope refused = request(10, "demo", "west");
    List<EventEnvelope> history =
        List.of(
            accepted,
            refused,
            request(11, "other", "north"),
            at(12, "demo", refused.eventId(), rejection()));

    assertThat(LastRequest.of(history, "demo")).contains(accepted);
  }

  @Test
  void aRejectionWithoutCausationAnswersTheRequestBeforeIt() {
    EventEnvelope accepted = request(0, "demo", "east");
    EventEnvelope refused = request(10, "demo", "west");

    assertThat(
            LastRequest.of(List.of(accepted, refused, at(12, "demo", null, rejection())), "demo"))
        .contains(accepted);
  }

  @Test
  void aDeletedMeshNoLongerExistsUntilItIsRequestedAgain() {
    EventEnvelope before = request(0, "demo", "east");
    EventEnvelope deleted =
        at(10, "demo", UUID.randomUUID(), new MeshDeleted(List.of(), List.of()));

    assertThat(LastRequest.of(List.of(before, deleted), "demo")).isEmpty();

    EventEnvelope again = request(20, "demo", "west");
    assertThat(LastRequest.of(List.of(before, deleted, again), "demo")).contains(again);
  }
}
