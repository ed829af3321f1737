package io.meshorch.meshctl.follow;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshorch.contracts.ClusterFailed;
import io.meshorch.contracts.ClusterSpec;
import io.meshorch.contracts.ClusterUp;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.KubernetesSpec;
import io.meshorch.contracts.MeshFailed;
import io.meshorch.contracts.MeshReady;
import io.meshorch.contracts.MeshRejected;
import io.meshorch.contracts.MeshRequested;
import io.meshorch.contracts.StepStarted;
import io.meshorch.contracts.Violation;
import io.meshorch.meshctl.spec.MeshChanges;
import io.meshorch.testkit.Samples;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class RenderTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private static MeshRun run(Object... payloads) {
    MeshRun run = new MeshRun("demo");
    run.apply(
        EventEnvelope.create(
            "demo",
            null,
            null,
            "meshctl",
            new MeshRequested(
                List.of(Samples.cluster("east", 1, 2), Samples.cluster("west", 2, 1)))));
    for (Object p : payloads) {
      run.apply(EventEnvelope.create("demo", null, null, "x", (io.meshorch.contracts.MeshEvent) p));
    }
    return run;
  }

  private static MeshReady ready() {
    return new MeshReady(
        List.of(
            new MeshReady.MeshClusterView(
                "east",
                1,
                List.of("e0", "e1"),
                "192.168.51.10",
                List.of(new MeshReady.RemoteNodes("west", List.of("w0")))),
            new MeshReady.MeshClusterView(
                "west",
                2,
                List.of("w0"),
                "192.168.52.10",
                List.of(new MeshReady.RemoteNodes("east", List.of("e0", "e1"))))));
  }

  @Test
  void jsonOfAReadyMeshCarriesTheNodeTable() {
    JsonNode doc = JSON.readTree(Render.json(run(ready())));

    assertThat(doc.get("status").asString()).isEqualTo("READY");
    assertThat(doc.get("clusters")).hasSize(2);
    assertThat(doc.at("/clusters/0/remoteNodes/0/cluster").asString()).isEqualTo("west");
    assertThat(doc.at("/clusters/1/remoteNodes/0/nodes/1").asString()).isEqualTo("e1");
    assertThat(doc.at("/clusters/0/meshEndpointIp").asString()).isEqualTo("192.168.51.10");
  }

  @Test
  void jsonShowsEachClustersDistributionAndVersionRequestedThenDeployed() {
    ClusterSpec east = Samples.cluster("east", 1, 2);
    ClusterSpec west = Samples.cluster("west", 2, 1);
    MeshRun run = new MeshRun("demo");
    run.apply(
        EventEnvelope.create(
            "demo",
            null,
            null,
            "meshctl",
            new MeshRequested(List.of(east, west), new KubernetesSpec("rke2", null))));
    ClusterSpec eastRke1 =
        new ClusterSpec(
            "east",
            1,
            2,
            east.podCidr(),
            east.serviceCidr(),
            east.lbAddressPool(),
            east.machine(),
            new KubernetesSpec("rke1", "v1.28.15-rancher1-1"));

    JsonNode requested = JSON.readTree(Render.json(run));
    assertThat(requested.at("/clusters/west/distribution").asString()).isEqualTo("rke2");
    assertThat(requested.at("/clusters/west/version").isNull()).isTrue();

    ClusterSpec westDeployed =
        new ClusterSpec(
            "west",
            2,
            1,
            west.podCidr(),
            west.serviceCidr(),
            west.lbAddressPool(),
            west.machine(),
            new KubernetesSpec("rke2", "v1.32.5+rke2r1"));
    run.apply(
        EventEnvelope.create(
            "demo", "west", null, "rke-service", new ClusterUp(westDeployed, List.of(), "u", "r")));
    run.apply(
        EventEnvelope.create(
            "demo", "east", null, "rke-service", new ClusterUp(eastRke1, List.of(), "u", "r")));
    run.apply(EventEnvelope.create("demo", null, null, "mesh-service", ready()));
    JsonNode doc = JSON.readTree(Render.json(run));

    assertThat(doc.at("/clusters/0/name").asString()).isEqualTo("east");
    assertThat(doc.at("/clusters/0/distribution").asString()).isEqualTo("rke1");
    assertThat(doc.at("/clusters/0/version").asString()).isEqualTo("v1.28.15-rancher1-1");
    assertThat(doc.at("/clusters/1/distribution").asString()).isEqualTo("rke2");
    assertThat(doc.at("/clusters/1/version").asString()).isEqualTo("v1.32.5+rke2r1");
  }

  @Test
  void jsonOfARejectedMeshListsEveryViolation() {
    MeshRun run =
        run(
            new MeshRejected(
                List.of(
                    new Violation("clusters[0].id", "must be between 1 and 255, found 0"),
                    new Violation("clusters[1].podCidr", "must not overlap clusters[0].podCidr"))));

    JsonNode doc = JSON.readTree(Render.json(run));

    assertThat(doc.get("status").asString()).isEqualTo("REJECTED");
    assertThat(doc.get("violations")).hasSize(2);
    assertThat(doc.at("/violations/1/field").asString()).isEqualTo("clusters[1].podCidr");
  }

  @Test
  void jsonOfChangesARunningMeshCannotFollowHasTheShapeOfARejection() {
    List<MeshChanges.Change> changes =
        List.of(
            new MeshChanges.Change(
                "demo", "west", "podCidr", "10.2.0.0/16", "10.9.0.0/16", "cannot change"),
            new MeshChanges.Change("demo", "east", null, null, null, "removal not supported"));

    JsonNode doc = JSON.readTree(Render.changesJson("demo", changes));

    assertThat(doc.get("meshId").asString()).isEqualTo("demo");
    assertThat(doc.get("status").asString()).isEqualTo("REJECTED");
    assertThat(doc.get("violations")).hasSize(2);
    assertThat(doc.at("/violations/0/field").asString()).isEqualTo("clusters[west].podCidr");
    assertThat(doc.at("/violations/0/rule").asString())
        .isEqualTo("podCidr 10.2.0.0/16 -> 10.9.0.0/16: cannot change");
    assertThat(doc.at("/violations/0/was").asString()).isEqualTo("10.2.0.0/16");
    assertThat(doc.at("/violations/0/now").asString()).isEqualTo("10.9.0.0/16");
    assertThat(doc.at("/violations/1/field").asString()).isEqualTo("clusters[east]");
    assertThat(doc.at("/violations/1/cluster").asString()).isEqualTo("east");
  }

  @Test
  void summaryOfAFailedMeshNamesStageClusterAndCause() {
    String text =
        Render.summary(
            run(
                new MeshFailed(
                    "vms", "west", "HEAT_STACK_FAILED", "Resource CREATE failed", false)));

    assertThat(text)
        .contains(
            "FAILED",
            "stage:   vms",
            "cluster: west",
            "[HEAT_STACK_FAILED] Resource CREATE failed");
  }

  @Test
  void summaryOfARetryableFailureSaysRunningUpAgainMaySucceed() {
    String text =
        Render.summary(
            run(new MeshFailed("mesh", "west", "REMOTE_NOT_SEEN", "west does not see east", true)));

    assertThat(text).contains("next:", "running `meshctl up` again", "may succeed");
  }

  @Test
  void summaryOfATerminalFailureSaysToFixTheCauseRatherThanRetry() {
    String text =
        Render.summary(
            run(
                new MeshFailed(
                    "vms", "west", "QUOTA_EXCEEDED", "quota of instances exceeded", false)));

    assertThat(text)
        .contains("[QUOTA_EXCEEDED] quota of instances exceeded", "fix the cause above first")
        .contains("will fail the same way")
        .doesNotContain("may succeed");
  }

  @Test
  void anOlderMeshFailedTakesRetryableFromTheClusterFailedThatCausedIt() {
    MeshRun run = run();
    run.apply(
        EventEnvelope.create(
            "demo",
            "west",
            null,
            "infra-service",
            new ClusterFailed("vms", "VMS_TIMEOUT", "stack not complete after 20m", true)));
    run.apply(
        EventEnvelope.create(
            "demo",
            null,
            null,
            "mesh-service",
            new MeshFailed("vms", "west", "VMS_TIMEOUT", "stack not complete after 20m", null)));

    assertThat(Render.summary(run)).contains("may succeed");
    assertThat(JSON.readTree(Render.json(run)).at("/failure/retryable").asBoolean()).isTrue();
  }

  @Test
  void jsonOfAFailedMeshSaysWhetherItIsRetryable() {
    JsonNode doc =
        JSON.readTree(
            Render.json(
                run(new MeshFailed("vms", "west", "HEAT_STACK_FAILED", "CREATE failed", false))));

    assertThat(doc.get("status").asString()).isEqualTo("FAILED");
    assertThat(doc.at("/failure/code").asString()).isEqualTo("HEAT_STACK_FAILED");
    assertThat(doc.at("/failure/retryable").isBoolean()).isTrue();
    assertThat(doc.at("/failure/retryable").asBoolean()).isFalse();
  }

  @Test
  void aStartedStepReadsAsTheClusterAndItsStage() {
    String line =
        Render.line(
            EventEnvelope.create(
                "demo",
                "east",
                null,
                "rke-service",
                new StepStarted("kubernetes", "mesh.infra.events", 0, 42)));

    assertThat(line).contains("east", "kubernetes", "step started").doesNotContain("?");
  }

  @Test
  void tableShowsEveryRemoteClusterEachClusterSees() {
    String table = Render.table(ready());

    assertThat(table.lines().toList())
        .hasSize(3)
        .anySatisfy(l -> assertThat(l).startsWith("east").contains("192.168.51.10", "west: w0"))
        .anySatisfy(l -> assertThat(l).startsWith("west").contains("east: e0, e1"));
  }
}
