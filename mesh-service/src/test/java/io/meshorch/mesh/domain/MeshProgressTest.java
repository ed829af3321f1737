package io.meshorch.mesh.domain;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshorch.contracts.ClusterFailed;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.MeshFailed;
import io.meshorch.mesh.domain.MeshProgress.Status;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MeshProgressTest {
  private static final Map<String, Supplier<EventEnvelope>> TOKENS =
      Map.ofEntries(
          Map.entry("req", Events::requested),
          Map.entry("bad", Events::invalidRequest),
          Map.entry("rej", Events::rejected),
          Map.entry("east", () -> Events.ports("east")),
          Map.entry("west", () -> Events.ports("west")),
          Map.entry("fail", () -> Events.clusterFailed("east")),
          Map.entry("ready", Events::meshReady),
          Map.entry("failed", Events::meshFailed),
          Map.entry("req2", Events::requestedAgain),
          Map.entry("east2", () -> Events.portsAgain("east")),
          Map.entry("west2", () -> Events.portsAgain("west")),
          Map.entry("fail2", Events::failedAgain));

  private static MeshProgress replay(String sequence) {
    MeshProgress progress = new MeshProgress(Events.MESH);
    if (!sequence.isBlank()) {
      Arrays.stream(sequence.split(" ")).map(t -> TOKENS.get(t).get()).forEach(progress::apply);
    }
    return progress;
  }

  @ParameterizedTest(name = "[{0}] -> {1}")
  @CsvSource({
    "'', WAITING",
    "req, WAITING",
    "req east, WAITING",
    "req east east, WAITING",
    "req east west, READY_TO_CONNECT",
    "east west req, READY_TO_CONNECT",
    "east req west, READY_TO_CONNECT",
    "east west, WAITING",
    "req east west west east, READY_TO_CONNECT",
    "bad east west, WAITING",
    "bad east west req, READY_TO_CONNECT",
    "bad rej, CLOSED",
    "req rej east west, READY_TO_CONNECT",
    "east west rej req, READY_TO_CONNECT",
    "req east fail, FAILED",
    "fail, FAILED",
    "req east west fail, FAILED",
    "req east west ready, DONE",
    "ready req east west, DONE",
    "req fail failed, DONE",
    "failed fail, DONE",
    "req east west ready req2, WAITING",
    "req east west ready req2 east west, WAITING",
    "req east west ready req2 east2 west2, READY_TO_CONNECT",
    "req east fail req2 east2 west2, READY_TO_CONNECT",
    "req2 east2 west2 req east west ready, READY_TO_CONNECT",
    "req east east2 west2 req2, READY_TO_CONNECT",
    "east east2 west west2 req2 req, READY_TO_CONNECT",
    "req east west ready east2 west2 req2, READY_TO_CONNECT",
    "ready req2 east2 west2, READY_TO_CONNECT",
    "req fail req2, WAITING",
    "req fail2 req2, FAILED",
    "fail2 req east west req2 east2, FAILED",
  })
  void decidesFromTheSetOfFactsWhateverTheirOrder(String sequence, Status expected) {
    assertThat(replay(sequence).status()).isEqualTo(expected);
  }

  @ParameterizedTest(name = "[{0}]")
  @CsvSource({
    "req east west",
    "req east fail",
    "bad rej",
    "req east west ready",
    "req east west ready req2 east2",
    "east2 req west2 req2 east",
  })
  void aRedeliveredEventChangesNothing(String sequence) {
    List<EventEnvelope> events =
        Arrays.stream(sequence.split(" ")).map(t -> TOKENS.get(t).get()).toList();
    MeshProgress once = new MeshProgress(Events.MESH);
    MeshProgress twice = new MeshProgress(Events.MESH);
    events.forEach(once::apply);
    events.forEach(twice::apply);
    events.forEach(twice::apply);

    assertThat(twice.status()).isEqualTo(once.status());
    assertThat(twice.members()).isEqualTo(once.members());
    assertThat(twice.claim()).isEqualTo(once.claim());
  }

  @Test
  void handsOutConnectWithTheClustersAndTheLatestPortsUpdatedAsCauseUntilItEnds() {
    MeshProgress progress = replay("req east");
    EventEnvelope last =
        Events.at(Events.T0.plusSeconds(5), "west", "infra-service", Events.portsUpdated("west"));
    progress.apply(last);

    MeshAction action = progress.claim().orElseThrow();

    assertThat(action).isInstanceOf(MeshAction.Connect.class);
    MeshAction.Connect connect = (MeshAction.Connect) action;
    assertThat(connect.causationId()).isEqualTo(last.eventId());
    assertThat(connect.members()).extracting(ClusterMember::name).containsExactly("east", "west");
    assertThat(connect.members().get(0).nodes())
        .containsExactly("mesh-m1-east-node-0", "mesh-m1-east-node-1");
    assertThat(connect.members().get(0).kubeconfigRef())
        .isEqualTo("meshes/m1/clusters/east/kubeconfig");
    assertThat(progress.claim()).contains(action);
    progress.apply(Events.ports("west"));
    progress.apply(Events.clusterFailed("east"));
    assertThat(progress.claim()).as("the same action while it runs").contains(action);
    progress.complete();
    assertThat(progress.claim()).isEmpty();
  }

  @ParameterizedTest(name = "[{0}]")
  @CsvSource({"east west req", "west req east", "req east west", "west east req"})
  void theCauseOfConnectDoesNotDependOnTheOrderOfArrival(String order) {
    Map<String, EventEnvelope> events =
        Map.of(
            "req", Events.requested(),
            "east",
                Events.at(
                    Events.T0.plusSeconds(2), "east", "infra-service", Events.portsUpdated("east")),
            "west",
                Events.at(
                    Events.T0.plusSeconds(4),
                    "west",
                    "infra-service",
                    Events.portsUpdated("west")));
    MeshProgress progress = new MeshProgress(Events.MESH);
    Arrays.stream(order.split(" ")).map(events::get).forEach(progress::apply);

    assertThat(progress.claim())
        .get()
        .extracting(MeshAction::causationId)
        .isEqualTo(events.get("west").eventId());
  }

  @Test
  void aReleasedActionIsHandedOutAgainAndACompletedOneNever() {
    MeshProgress progress = replay("req east west");
    assertThat(progress.claim()).isPresent();

    progress.release();
    assertThat(progress.claim()).isPresent();

    progress.complete();
    assertThat(progress.status()).isEqualTo(Status.DONE);
    progress.release();
    assertThat(progress.claim()).isEmpty();
  }

  @Test
  void theEarliestClusterFailureBecomesMeshFailedWithItsStageClusterCodeReasonAndRetryable() {
    EventEnvelope failed = Events.clusterFailed("east");
    MeshProgress progress = replay("req");
    progress.apply(
        Events.at(
            Events.T0.plusSeconds(3),
            "west",
            "rke-service",
            new ClusterFailed("kubernetes", "RKE_UP_FAILED", "rke up failed on west", true)));
    progress.apply(failed);

    MeshAction action = progress.claim().orElseThrow();

    assertThat(action)
        .isEqualTo(
            new MeshAction.Fail(
                Events.MESH,
                new MeshFailed(
                    "kubernetes", "east", "RKE_UP_FAILED", "rke up failed on east", true),
                failed.eventId()));
    assertThat(progress.claim()).contains(action);
  }

  @Test
  void aTerminalClusterFailureBecomesAMeshFailedThatIsNotRetryable() {
    MeshProgress progress = replay("req");
    progress.apply(
        Events.envelope(
            "east",
            "infra-service",
            new ClusterFailed("vms", "QUOTA_EXCEEDED", "quota of instances exceeded", false)));

    MeshAction action = progress.claim().orElseThrow();

    assertThat(((MeshAction.Fail) action).failure().retryable()).isFalse();
  }

  @Test
  void ignoresPortsOfClustersTheRequestDoesNotName() {
    MeshProgress progress = new MeshProgress(Events.MESH);
    progress.apply(
        Events.envelope(
            null, "meshctl", new io.meshorch.contracts.MeshRequested(List.of(Events.EAST))));
    progress.apply(Events.ports("west"));
    assertThat(progress.status()).isEqualTo(Status.WAITING);
    progress.apply(Events.ports("east"));
    assertThat(progress.members()).extracting(ClusterMember::name).containsExactly("east");
  }
}
