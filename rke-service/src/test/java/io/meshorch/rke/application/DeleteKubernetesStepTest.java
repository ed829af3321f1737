package io.meshorch.rke.application;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshorch.contracts.ClusterDeleted;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.kit.step.StepDriver;
import io.meshorch.testkit.MutableClock;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class DeleteKubernetesStepTest {
  private final Fakes.Deployer deployer = new Fakes.Deployer(new MutableClock());
  private final Fakes.Secrets secrets = new Fakes.Secrets();
  private final EventEnvelope vmsDeleted =
      EventEnvelope.create(
          "m1", "east", UUID.randomUUID(), "infra-service", new ClusterDeleted("vms", List.of()));

  private StepDriver.Result run(StepDriver driver) {
    return driver.run(new DeleteKubernetesStep("m1", "east", deployer, secrets), 10);
  }

  @Test
  void removesTheClustersSecretsAndStateButNoOtherClustersOrTheMeshCa() {
    for (String ref :
        List.of(
            "meshes/m1/clusters/east/kubeconfig",
            "meshes/m1/clusters/east/deployment",
            "meshes/m1/clusters/east/rke2-token",
            "meshes/m1/clusters/east/clustermesh-apiserver-certs",
            "meshes/m1/clusters/west/kubeconfig",
            "meshes/m1/cilium-ca")) {
      secrets.put(ref, "x".getBytes(StandardCharsets.UTF_8));
    }

    StepDriver.Result result = run(new StepDriver(vmsDeleted, "delete"));

    ClusterDeleted deleted = (ClusterDeleted) ((StepDriver.Result.Done) result).outcome();
    assertThat(deleted.part()).isEqualTo("kubernetes");
    assertThat(deleted.deleted())
        .extracting(ClusterDeleted.Resource::name)
        .containsExactly(
            "meshes/m1/clusters/east/kubeconfig",
            "meshes/m1/clusters/east/deployment",
            "meshes/m1/clusters/east/rke2-token",
            "meshes/m1/clusters/east/clustermesh-apiserver-certs");
    assertThat(secrets.values.keySet())
        .containsExactlyInAnyOrder("meshes/m1/clusters/west/kubeconfig", "meshes/m1/cilium-ca");
    assertThat(deployer.removed).containsExactly("m1/east");
  }

  @Test
  void waitsForTheClustersBuildStepToStopAndAReplayFindsNothingLeft() {
    AtomicInteger running = new AtomicInteger(1);
    StepDriver driver =
        new StepDriver(vmsDeleted, "delete")
            .othersRunning(running::get)
            .beforeRecheck(() -> running.set(0));
    secrets.put("meshes/m1/clusters/east/kubeconfig", new byte[] {1});

    StepDriver.Result first = run(driver);
    StepDriver.Result again = run(new StepDriver(vmsDeleted, "delete"));

    assertThat(driver.calls()).isEqualTo(2);
    assertThat(driver.cancellations()).first().asString().contains("mesh m1 is being deleted");
    assertThat(((ClusterDeleted) ((StepDriver.Result.Done) first).outcome()).deleted()).hasSize(1);
    assertThat(((ClusterDeleted) ((StepDriver.Result.Done) again).outcome()).deleted()).isEmpty();
  }
}
