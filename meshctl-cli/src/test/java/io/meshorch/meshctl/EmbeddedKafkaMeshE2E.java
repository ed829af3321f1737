package io.meshorch.meshctl;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshorch.contracts.ClusterFailed;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.MeshReady;
import io.meshorch.contracts.ProgressReported;
import io.meshorch.meshctl.local.LocalStack;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The scenarios on local mode's embedded KRaft broker, exactly as {@code ./meshctl up} runs. */
class EmbeddedKafkaMeshE2E extends MeshScenarios {
  @Override
  LocalStack startStack(Path dataDir) {
    // Mesh "lagging": MetalLB's webhook answers 6 s after its controller is ready, longer than
    // the Kubernetes client's own retries of an HTTP 500 (3.5 s).
    return LocalStack.start(
        dataDir, true, LocalStack.DEFAULT_LATENCIES.with("metallb-webhook@lagging/*=6s"));
  }

  @Test
  void aMetalLbPoolWrittenBeforeTheWebhookAnswersIsRetriedAndTheMeshBecomesReady()
      throws IOException {
    Path file = data.resolve("lagging.yaml");
    Files.writeString(
        file,
        """
        mesh: lagging
        defaults:
          machine: {image: ubuntu-22.04, flavor: m1.large, network: mesh-net, keyName: mesh, sshUser: ubuntu}
        clusters:
          - {name: east, id: 1, nodeCount: 1, podCidr: 10.121.0.0/16, serviceCidr: 10.221.0.0/16, lbAddressPool: 192.168.57.10-192.168.57.19}
        """);

    int exit = meshctl("up", "-f", file.toString());

    assertThat(exit).as("meshctl up exit code").isZero();
    assertThat(of("lagging", null, MeshReady.class)).hasSize(1);
    assertThat(of("lagging", null, ClusterFailed.class)).as("a retry, not a failure").isEmpty();
    assertThat(of("lagging", "east", ProgressReported.class))
        .map(EventEnvelope::payload)
        .map(p -> ((ProgressReported) p).message())
        .filteredOn(m -> m.startsWith("MetalLB's webhook does not answer yet"))
        .singleElement()
        .asString()
        .contains(
            "failed calling webhook \"ipaddresspoolvalidationwebhook.metallb.io\"",
            "connect: connection refused");
  }
}
