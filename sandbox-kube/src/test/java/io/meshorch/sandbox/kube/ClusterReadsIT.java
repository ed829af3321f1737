package io.meshorch.sandbox.kube;

import static io.meshorch.sandbox.kube.KubeFixture.KS;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sandbox's own reads of a cluster come from its store in this process: they answer what a GET
 * over the API answers (lists, namespaces, label selectors, cluster-scoped objects), parse each
 * stored version once, and never outlive a write: a Secret changed, created or deleted is seen by
 * the very next read.
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
  void answersEachStoredVersionWithOneObjectAndSeesEveryWrite() {
    ClusterReads reads = cluster.reads();
    assertThat(reads.secret(KS, "s")).as("absent").isNull();

    write("one");
    Secret first = reads.secret(KS, "s");
    Secret again = reads.secret(KS, "s");
    write("two");
    Secret afterWrite = reads.secret(KS, "s");
    c.secrets().inNamespace(KS).withName("s").delete();
    Secret afterDelete = reads.secret(KS, "s");

    assertThat(first).isNotNull();
    assertThat(again)
        .as("the same stored version: the same object, not parsed again")
        .isSameAs(first);
    assertThat(afterWrite.getData()).isNotEqualTo(first.getData());
    assertThat(afterDelete).isNull();
  }

  @Test
  void answersWhatAReadThroughTheApiAnswers() {
    for (String ns : List.of("default", KS)) {
      for (String app : List.of("a", "b")) {
        c.pods()
            .inNamespace(ns)
            .resource(
                new PodBuilder()
                    .withNewMetadata()
                    .withName(app + "-pod")
                    .withNamespace(ns)
                    .addToLabels("app", app)
                    .endMetadata()
                    .withNewSpec()
                    .addNewContainer()
                    .withName("c")
                    .withImage("busybox")
                    .endContainer()
                    .endSpec()
                    .build())
            .create();
      }
    }
    ClusterReads reads = cluster.reads();

    assertThat(names(reads.list(Pod.class)))
        .containsExactlyInAnyOrderElementsOf(names(c.pods().inAnyNamespace().list().getItems()))
        .hasSize(4);
    assertThat(names(reads.list(Pod.class, KS)))
        .containsExactlyInAnyOrderElementsOf(names(c.pods().inNamespace(KS).list().getItems()));
    assertThat(names(reads.pods(KS, "app", "b"))).containsExactly(KS + "/b-pod");
    assertThat(names(reads.nodes()))
        .containsExactlyInAnyOrderElementsOf(names(c.nodes().list().getItems()))
        .isNotEmpty();
    String node = c.nodes().list().getItems().get(0).getMetadata().getName();
    assertThat(reads.get(Node.class, null, node)).isNotNull();
    assertThat(reads.get(Pod.class, "default", "b-pod").getMetadata().getLabels())
        .containsEntry("app", "b");
    assertThat(reads.get(Pod.class, KS, "missing")).isNull();
  }

  private static List<String> names(List<? extends HasMetadata> objects) {
    return objects.stream()
        .map(
            o ->
                o.getMetadata().getNamespace() == null
                    ? o.getMetadata().getName()
                    : o.getMetadata().getNamespace() + "/" + o.getMetadata().getName())
        .toList();
  }
}
