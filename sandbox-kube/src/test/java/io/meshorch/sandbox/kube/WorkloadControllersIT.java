package io.meshorch.sandbox.kube;

import static io.meshorch.sandbox.kube.KubeFixture.KS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkloadControllersIT {
  @TempDir Path dir;
  private SandboxKube kube;
  private KubernetesClient c;

  @BeforeEach
  void start() throws Exception {
    kube = SandboxKube.builder().controllerInterval(Duration.ofMillis(100)).build().start();
    c = KubeFixture.up(kube, dir, "east", "127.20.2.1").client();
  }

  @AfterEach
  void stop() {
    kube.close();
  }

  private List<Pod> agents() {
    return c.pods().inNamespace(KS).withLabel("k8s-app", "cilium").list().getItems();
  }

  @Test
  void ciliumDaemonSetGetsOneReadyPodPerNodeAndNodesTurnReady() {
    KubeFixture.installCilium(c, "east", "ca-1");

    await()
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(
            () -> {
              DaemonSet ds = c.apps().daemonSets().inNamespace(KS).withName("cilium").get();
              assertThat(ds.getStatus()).isNotNull();
              assertThat(ds.getStatus().getNumberReady()).isEqualTo(2);
              assertThat(ds.getStatus().getDesiredNumberScheduled()).isEqualTo(2);
              assertThat(ds.getStatus().getObservedGeneration())
                  .isEqualTo(ds.getMetadata().getGeneration());
              assertThat(c.nodes().list().getItems())
                  .allSatisfy(
                      n ->
                          assertThat(n.getStatus().getConditions().get(0))
                              .satisfies(
                                  r -> {
                                    assertThat(r.getStatus()).isEqualTo("True");
                                    assertThat(r.getReason()).isEqualTo("KubeletReady");
                                  }));
            });
    assertThat(agents())
        .hasSize(2)
        .allSatisfy(
            p -> {
              assertThat(p.getMetadata().getName()).matches("cilium-[a-z]{5}");
              assertThat(p.getStatus().getPhase()).isEqualTo("Running");
            })
        .extracting(p -> p.getSpec().getNodeName())
        .containsExactlyInAnyOrder("east-node-0", "127.20.2.99");
  }

  @Test
  void deploymentGetsItsReplicasAndAvailableStatus() {
    KubeFixture.deployment(c, "default", "web", "app", "web");
    c.apps().deployments().inNamespace("default").withName("web").scale(3);

    await()
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(
            () -> {
              Deployment d = c.apps().deployments().inNamespace("default").withName("web").get();
              assertThat(d.getStatus()).isNotNull();
              assertThat(d.getStatus().getAvailableReplicas()).isEqualTo(3);
              assertThat(d.getStatus().getConditions())
                  .anySatisfy(x -> assertThat(x.getType()).isEqualTo("Available"));
              assertThat(c.pods().inNamespace("default").withLabel("app", "web").list().getItems())
                  .hasSize(3);
            });
  }

  @Test
  void templateChangeRollsThePodsAndDeletionCollectsThem() {
    KubeFixture.installCilium(c, "east", "ca-1");
    List<String> before =
        await()
            .atMost(Duration.ofSeconds(15))
            .until(
                () -> agents().stream().map(p -> p.getMetadata().getName()).toList(),
                l -> l.size() == 2);

    KubeFixture.connect(c, "west", "192.168.51.10", true);

    await()
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(
            () ->
                assertThat(agents())
                    .hasSize(2)
                    .allSatisfy(
                        p -> {
                          assertThat(before).doesNotContain(p.getMetadata().getName());
                          assertThat(p.getSpec().getHostAliases()).hasSize(1);
                        }));

    c.apps().daemonSets().inNamespace(KS).withName("cilium").delete();

    await().atMost(Duration.ofSeconds(15)).until(() -> agents().isEmpty());
  }
}
