package io.meshorch.mesh.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.EventType;
import io.meshorch.contracts.MeshDeleteRequested;
import io.meshorch.contracts.MeshDeleted;
import io.meshorch.contracts.MeshFailed;
import io.meshorch.contracts.MeshRequested;
import io.meshorch.kit.secrets.FileSecretStore;
import io.meshorch.kit.step.Plan;
import io.meshorch.kit.step.StepKey;
import io.meshorch.kit.step.StepRoute;
import io.meshorch.kit.step.StepRoutes;
import io.meshorch.mesh.application.MeshDeleteSteps;
import io.meshorch.mesh.application.MeshSteps;
import io.meshorch.mesh.domain.AgentReport;
import io.meshorch.mesh.domain.ApiserverRollout;
import io.meshorch.mesh.domain.CiliumCa;
import io.meshorch.mesh.domain.MeshDeletions;
import io.meshorch.mesh.domain.MeshLedger;
import io.meshorch.mesh.domain.RemoteCluster;
import io.meshorch.mesh.port.ClusterMeshPort;
import io.meshorch.testkit.Samples;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class MeshRoutesTest {
  private static final ClusterMeshPort NO_CLUSTERS =
      new ClusterMeshPort() {
        @Override
        public CiliumCa ciliumCa(String kubeconfigRef) {
          throw new AssertionError("routes do not call clusters");
        }

        @Override
        public boolean writeMeshConfig(String kubeconfigRef, List<RemoteCluster> remotes) {
          throw new AssertionError("routes do not call clusters");
        }

        @Override
        public ApiserverRollout apiserverRollout(String kubeconfigRef) {
          throw new AssertionError("routes do not call clusters");
        }

        @Override
        public ApiserverWatch watchApiserver(String kubeconfigRef, Runnable onChange) {
          throw new AssertionError("routes do not call clusters");
        }

        @Override
        public List<AgentReport> agentReports(String kubeconfigRef, boolean explainGaps) {
          throw new AssertionError("routes do not call clusters");
        }
      };

  private final MeshSteps steps =
      new MeshSteps(new MeshLedger(), NO_CLUSTERS, Duration.ofMinutes(5), Clock.systemUTC());
  private final MeshDeletions deletions = new MeshDeletions();
  private final MeshRoutes routes = new MeshRoutes();
  private final StepRoutes table =
      new StepRoutes(
          List.of(
              routes.meshRequestedRoute(steps, deletions),
              routes.meshRejectedRoute(steps),
              routes.portsUpdatedRoute(steps),
              routes.clusterFailedRoute(steps, deletions),
              routes.clusterDeletedRoute(deletions),
              routes.meshDeleteRequestedRoute(
                  new MeshDeleteSteps(
                      deletions,
                      new FileSecretStore(
                          java.nio.file.Path.of(System.getProperty("java.io.tmpdir"))
                              .resolve("mesh-routes-test-secrets")),
                      Duration.ofHours(1),
                      Clock.systemUTC()))));

  @Test
  void aPruneOfSomeClustersStartsNoMeshDeletionAndLeavesTheMeshToDeleteLater() {
    StepRoute delete = table.find(EventType.MESH_DELETE_REQUESTED).orElseThrow();
    table
        .find(EventType.MESH_REQUESTED)
        .orElseThrow()
        .plan(
            EventEnvelope.create(
                "m3",
                null,
                null,
                "meshctl",
                new MeshRequested(
                    List.of(Samples.cluster("a", 1, 1), Samples.cluster("b", 2, 1)))));
    EventEnvelope prune =
        EventEnvelope.create("m3", null, null, "meshctl", new MeshDeleteRequested(List.of("b")));
    EventEnvelope down =
        EventEnvelope.create("m3", null, null, "meshctl", new MeshDeleteRequested());

    assertThat(delete.plan(prune)).isEqualTo(Plan.nothing());
    assertThat(((Plan.Steps) delete.plan(down)).steps())
        .as("the whole mesh is still there to delete")
        .singleElement()
        .satisfies(s -> assertThat(s.key()).isEqualTo(new StepKey(down.eventId(), null)));
  }

  @ParameterizedTest
  @EnumSource(
      value = EventType.class,
      names = {"MESH_REQUESTED", "MESH_REJECTED", "PORTS_UPDATED", "CLUSTER_FAILED"})
  void everyConsumedTypeIsAMeshStageRouteAnsweringGiveUpsWithMeshFailed(EventType type) {
    StepRoute route = table.find(type).orElseThrow();
    EventEnvelope trigger =
        EventEnvelope.create(
            "m1",
            "west",
            null,
            "meshctl",
            new MeshRequested(List.of(Samples.cluster("west", 2, 1))));

    assertThat(route.stage()).isEqualTo("mesh");
    assertThat(route.failure(trigger, "west", "RECORD_UNPROCESSABLE", "bad record", false))
        .isEqualTo(new MeshFailed("mesh", "west", "RECORD_UNPROCESSABLE", "bad record", false));
    assertThat(route.failure(trigger, null, "KUBE_API_UNAVAILABLE", "cluster west: 503", true))
        .isEqualTo(new MeshFailed("mesh", null, "KUBE_API_UNAVAILABLE", "cluster west: 503", true));
  }

  @Test
  void aDeleteOfAMeshWithoutClustersIsAnsweredAtOnceAndOfAMeshWithClustersStartsOneStep() {
    StepRoute delete = table.find(EventType.MESH_DELETE_REQUESTED).orElseThrow();
    EventEnvelope unknown =
        EventEnvelope.create("nobody", null, null, "meshctl", new MeshDeleteRequested());
    table
        .find(EventType.MESH_REQUESTED)
        .orElseThrow()
        .plan(
            EventEnvelope.create(
                "m2",
                null,
                null,
                "meshctl",
                new MeshRequested(List.of(Samples.cluster("a", 1, 1)))));
    EventEnvelope known =
        EventEnvelope.create("m2", null, null, "meshctl", new MeshDeleteRequested());
    EventEnvelope again =
        EventEnvelope.create("m2", null, null, "meshctl", new MeshDeleteRequested());

    assertThat(delete.stage()).isEqualTo("delete");
    assertThat(delete.plan(unknown)).isEqualTo(Plan.answer(new MeshDeleted(List.of(), List.of())));
    Plan first = delete.plan(known);
    assertThat(first).isInstanceOf(Plan.Steps.class);
    assertThat(((Plan.Steps) first).steps())
        .singleElement()
        .satisfies(s -> assertThat(s.key()).isEqualTo(new StepKey(known.eventId(), null)));
    assertThat(((Plan.Steps) delete.plan(again)).steps())
        .as("a second delete while one runs joins it")
        .singleElement()
        .satisfies(s -> assertThat(s.key()).isEqualTo(new StepKey(known.eventId(), null)));
    assertThat(delete.failure(known, null, "MESH_DELETE_TIMEOUT", "late", true))
        .isEqualTo(new MeshFailed("delete", null, "MESH_DELETE_TIMEOUT", "late", true));
  }

  @ParameterizedTest
  @EnumSource(
      value = EventType.class,
      names = {"MESH_READY", "MESH_FAILED", "VMS_READY", "CLUSTER_UP", "STEP_STARTED"})
  void otherTypesAreNotRouted(EventType type) {
    assertThat(table.find(type)).isEmpty();
  }
}
