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
          Map.entry("west2", () -> Events.portsAgain("west")));

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
  })
  void decidesFromTheSetOfFactsWhateverTheirOrder(String sequence, Status expected) {
    assertThat(replay(sequence).status()).isEqualTo(expected);
  }

  @ParameterizedTest(name = "[{0}] changes={1}")
  @CsvSource({
    "req, true",
    "req req, false",
    "east east, false",
    "fail fail, false",
    "rej rej, false",
    "ready ready, false",
    "bad, false",
  })
  void aDuplicateChangesNothing(String sequence, boolean lastChanged) {
    String[] tokens = sequence.split(" ");
    MeshProgress progress = replay(String.join(" ", Arrays.copyOf(tokens, tokens.length - 1)));
    assertThat(progress.apply(TOKENS.get(tokens[tokens.length - 1]).get())).isEqualTo(lastChanged);
  }

  @Test
  void handsOutConnectOnceWithTheClustersAndTheLastPortsUpdatedAsCause() {
    MeshProgress progress = replay("req east");
    EventEnvelope last = Events.ports("west");
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
    assertThat(progress.claim()).isEmpty();
    progress.apply(Events.ports("west"));
    assertThat(progress.claim()).isEmpty();
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
  void aClusterFailureBecomesMeshFailedWithItsStageClusterCodeReasonAndRetryable() {
    EventEnvelope failed = Events.clusterFailed("east");
    MeshProgress progress = replay("req");
    progress.apply(failed);
    progress.apply(Events.clusterFailed("west"));

    MeshAction action = progress.claim().orElseThrow();

    assertThat(action)
        .isEqualTo(
            new MeshAction.Fail(
                Events.MESH,
                new MeshFailed(
                    "kubernetes", "east", "RKE_UP_FAILED", "rke up failed on east", true),
                failed.eventId()));
    assertThat(progress.claim()).isEmpty();
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
