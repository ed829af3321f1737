package io.meshorch.sandbox.kube;

import static io.meshorch.sandbox.kube.KubeFixture.KS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agents' reads of a cluster are answered from memory until the cluster's next write, and never
 * outlive it: a Secret changed, created or deleted is seen by the very next read.
 */
class ClusterReadsIT {
  @TempDir Path dir;
  private SandboxKube kube;
  private SandboxCluster cluster;
  private KubernetesClient c;

  @BeforeEach
  void start() throws Exception {
    kube = SandboxKube.builder().controllerInterval(Duration.ofMillis(100)).build().start();
    cluster = KubeFixture.up(kube, dir, "east", "127.20.7.1");
    c = cluster.client();
  }

  @AfterEach
  void stop() {
    kube.close();
  }

  private void write(String value) {
    c.secrets()
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("s")
                .withNamespace(KS)
                .endMetadata()
                .addToData(
                    "k", Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8)))
                .build())
        .createOr(e -> e.update());
  }

  @Test
  void answersFromMemoryUntilTheClustersNextWrite() {
    ClusterReads reads = cluster.reads();
    assertThat(reads.secret(KS, "s")).as("absent, and remembered so").isNull();

    write("one");
    // The controllers' pass after the write writes nothing more: the cluster is quiet.
    await().atMost(Duration.ofSeconds(10)).until(() -> cluster.settled);
    Secret first = reads.secret(KS, "s");
    Secret again = reads.secret(KS, "s");
    write("two");
    Secret afterWrite = reads.secret(KS, "s");
    c.secrets().inNamespace(KS).withName("s").delete();
    Secret afterDelete = reads.secret(KS, "s");

    assertThat(first).isNotNull();
    assertThat(again).as("no write in between: the same object, not read again").isSameAs(first);
    assertThat(afterWrite.getData()).isNotEqualTo(first.getData());
    assertThat(afterDelete).isNull();
  }
}
