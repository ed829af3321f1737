package io.meshorch.mesh.domain;

import static io.meshorch.mesh.domain.Events.MESH;
import static io.meshorch.mesh.domain.Events.T0;
import static io.meshorch.mesh.domain.Events.at;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshorch.contracts.ClusterDeleted;
import io.meshorch.contracts.ClusterFailed;
import io.meshorch.contracts.MeshDeleted;
import io.meshorch.contracts.MeshRequested;
import io.meshorch.contracts.Stage;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class MeshDeletionsTest {
  private final MeshDeletions deletions = new MeshDeletions();

  private static ClusterDeleted part(String part, String kind, String name) {
    return new ClusterDeleted(part, List.of(new ClusterDeleted.Resource(kind, name)));
  }

  @Test
  void anUnknownMeshOrOneWithOnlyAnInvalidRequestHasNothingToDelete() {
    deletions.record(Events.invalidRequest());

    assertThat(deletions.clusters(MESH)).isEmpty();
    assertThat(deletions.clusters("other")).isEmpty();
  }

  @Test
  void aClusterIsDeletedOnceItsKubernetesPartIsAndTheSummaryMergesBothPartsInAnyOrder() {
    deletions.record(Events.requested());
    deletions.record(
        at(T0.plusSeconds(30), "east", "rke-service", part("kubernetes", "secret", "kc-east")));
    deletions.record(
        at(T0.plusSeconds(20), "east", "infra-service", part("vms", "heat-stack", "s-east")));

    assertThat(deletions.remaining(MESH)).containsExactly("west");
    deletions.record(
        at(T0.plusSeconds(31), "west", "rke-service", part("kubernetes", "secret", "kc-west")));
    deletions.record(
        at(T0.plusSeconds(31), "west", "rke-service", part("kubernetes", "secret", "kc-west")));

    assertThat(deletions.remaining(MESH)).isEmpty();
    assertThat(deletions.summary(MESH))
        .containsExactly(
            new MeshDeleted.DeletedCluster(
                "east",
                List.of(
                    new ClusterDeleted.Resource("heat-stack", "s-east"),
                    new ClusterDeleted.Resource("secret", "kc-east"))),
            new MeshDeleted.DeletedCluster(
                "west", List.of(new ClusterDeleted.Resource("secret", "kc-west"))));
  }

  @Test
  void aClusterPrunedFromTheMeshIsNeitherAwaitedNorListedByALaterDeletion() {
    deletions.record(Events.requested()); // east and west at T0
    deletions.record(
        at(T0.plusSeconds(10), null, "meshctl", new MeshRequested(List.of(Events.EAST))));
    assertThat(deletions.clusters(MESH))
        .as("west is left out but not deleted yet: a down still deletes it")
        .containsExactly("east", "west");

    deletions.record(
        at(T0.plusSeconds(20), "west", "rke-service", part("kubernetes", "secret", "kc-west")));

    assertThat(deletions.clusters(MESH)).containsExactly("east");
    assertThat(deletions.remaining(MESH)).containsExactly("east");
    assertThat(deletions.summary(MESH))
        .extracting(MeshDeleted.DeletedCluster::name)
        .containsExactly("east");
  }

  @Test
  void onceDeletedTheMeshHasNoClustersUntilItIsRequestedAgain() {
    deletions.record(Events.requested());
    deletions.deleted(MESH, T0.plusSeconds(40));

    assertThat(deletions.clusters(MESH)).isEmpty();

    deletions.record(
        at(
            T0.plusSeconds(50),
            null,
            "meshctl",
            new MeshRequested(List.of(Events.EAST, Events.WEST))));
    assertThat(deletions.clusters(MESH)).containsExactly("east", "west");
    assertThat(deletions.remaining(MESH))
        .as("parts deleted before the new request do not count")
        .containsExactly("east", "west");
  }

  @Test
  void onlyDeletionFailuresSinceTheRequestCountAndTheyNudgeTheDeletion() {
    AtomicInteger nudges = new AtomicInteger();
    deletions.record(Events.requested());
    deletions.watch(MESH, nudges::incrementAndGet);
    deletions.record(
        at(
            T0.plusSeconds(5),
            "east",
            "infra-service",
            new ClusterFailed(Stage.DELETE, "HEAT_STACK_DELETE_FAILED", "old", true)));
    boolean buildFailure =
        deletions.record(
            at(
                T0.plusSeconds(25),
                "west",
                "infra-service",
                new ClusterFailed(Stage.VMS, "CANCELLED", "deleted", false)));
    deletions.record(
        at(
            T0.plusSeconds(26),
            "west",
            "infra-service",
            new ClusterFailed(Stage.DELETE, "HEAT_STACK_DELETE_FAILED", "in use", true)));

    assertThat(buildFailure).as("a build step's failure is not a deletion's").isFalse();
    assertThat(deletions.failureSince(MESH, T0.plusSeconds(20)))
        .hasValueSatisfying(
            f -> {
              assertThat(f.cluster()).isEqualTo("west");
              assertThat(f.failure().reason()).isEqualTo("in use");
            });
    assertThat(nudges).hasValue(2);
  }

  @Test
  void aDeletionUnderWayIsJoinedByALaterRequestUntilReleased() {
    java.util.UUID first = java.util.UUID.randomUUID();
    java.util.UUID second = java.util.UUID.randomUUID();

    assertThat(deletions.claim(MESH, first)).isEqualTo(first);
    assertThat(deletions.claim(MESH, second)).isEqualTo(first);
    deletions.released(MESH);
    assertThat(deletions.claim(MESH, second)).isEqualTo(second);
  }
}
