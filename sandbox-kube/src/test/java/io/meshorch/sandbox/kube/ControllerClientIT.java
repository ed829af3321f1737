package io.meshorch.sandbox.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sandbox's controllers write through the API server's dispatcher in their own thread instead
 * of over HTTP: the API server must not be able to tell. Their writes reach the watches of clients
 * over HTTP, are recorded under the controllers' field manager, and every answer (a conflict, a
 * missing object, a list by label) is the one the same request over HTTP gets.
 */
class ControllerClientIT {
  private static final String NS = "default";

  @TempDir Path dir;
  private SandboxKube kube;
  private KubernetesClient http;
  private KubernetesClient inProcess;
  private SandboxCluster cluster;

  @BeforeEach
  void start() throws Exception {
    // Controllers that wake up rarely: the pods of this test stay as the test writes them.
    kube = SandboxKube.builder().controllerInterval(Duration.ofMinutes(10)).build().start();
    cluster = KubeFixture.up(kube, dir, "east", "127.20.9.1");
    http = cluster.client();
    inProcess = cluster.controllerClient();
  }

  @AfterEach
  void stop() {
    kube.close();
  }

  private static Pod pod(String name) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(NS)
        .addToLabels("app", name)
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("main")
        .withImage("busybox:1.36")
        .endContainer()
        .endSpec()
        .build();
  }

  @Test
  void writesInTheProcessReachHttpWatchesUnderTheControllersFieldManager() {
    List<String> events = new CopyOnWriteArrayList<>();
    Watch watch =
        http.pods()
            .inNamespace(NS)
            .watch(
                new Watcher<>() {
                  @Override
                  public void eventReceived(Action action, Pod pod) {
                    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
                    events.add(action + " " + pod.getMetadata().getName() + " " + phase);
                  }

                  @Override
                  public void onClose(WatcherException cause) {}
                });
    try {
      Pod created = inProcess.pods().inNamespace(NS).resource(pod("web")).create();
      assertThat(created.getMetadata().getResourceVersion()).isNotBlank();

      Pod running =
          new PodBuilder(created).editOrNewStatus().withPhase("Running").endStatus().build();
      inProcess.pods().inNamespace(NS).resource(running).updateStatus();

      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () ->
                  assertThat(events).containsSubsequence("ADDED web null", "MODIFIED web Running"));
    } finally {
      watch.close();
    }
    Pod stored = http.pods().inNamespace(NS).withName("web").get();
    assertThat(stored.getStatus().getPhase()).isEqualTo("Running");
    assertThat(stored.getMetadata().getManagedFields())
        .extracting(f -> f.getManager() + " " + f.getOperation())
        .containsOnly(SandboxCluster.CONTROLLERS + " Update");
  }

  @Test
  void answersAsTheSameRequestOverHttpIsAnswered() {
    http.pods().inNamespace(NS).resource(pod("web")).create();
    http.pods().inNamespace(NS).resource(pod("db")).create();

    // a create of an existing object
    KubernetesClientException overHttp =
        catchThrowableOfType(
            KubernetesClientException.class,
            () -> http.pods().inNamespace(NS).resource(pod("web")).create());
    KubernetesClientException dispatched =
        catchThrowableOfType(
            KubernetesClientException.class,
            () -> inProcess.pods().inNamespace(NS).resource(pod("web")).create());
    assertThat(dispatched.getCode()).isEqualTo(overHttp.getCode()).isEqualTo(409);
    assertThat(dispatched.getStatus().getMessage()).isEqualTo(overHttp.getStatus().getMessage());

    // a replace of a version that is no longer the stored one
    Pod stale = http.pods().inNamespace(NS).withName("web").get();
    http.pods()
        .inNamespace(NS)
        .withName("web")
        .edit(p -> new PodBuilder(p).editMetadata().addToLabels("v", "2").endMetadata().build());
    Pod staleLabel =
        new PodBuilder(stale).editMetadata().addToLabels("v", "3").endMetadata().build();
    KubernetesClientException conflictOverHttp =
        catchThrowableOfType(
            KubernetesClientException.class,
            () -> http.pods().inNamespace(NS).resource(staleLabel).update());
    KubernetesClientException conflict =
        catchThrowableOfType(
            KubernetesClientException.class,
            () -> inProcess.pods().inNamespace(NS).resource(staleLabel).update());
    assertThat(conflictOverHttp).isNotNull();
    assertThat(conflict).isNotNull();
    assertThat(conflict.getCode()).isEqualTo(conflictOverHttp.getCode()).isEqualTo(409);
    assertThat(conflict.getStatus().getMessage())
        .isEqualTo(conflictOverHttp.getStatus().getMessage());

    // a missing object, a list by label, a delete
    assertThat(inProcess.pods().inNamespace(NS).withName("nope").get()).isNull();
    assertThat(inProcess.pods().inNamespace(NS).withLabel("app", "db").list().getItems())
        .extracting(p -> p.getMetadata().getName())
        .containsExactly("db");
    assertThat(inProcess.pods().inNamespace(NS).withName("db").delete()).hasSize(1);
    assertThat(http.pods().inNamespace(NS).withName("db").get()).isNull();
  }

  @Test
  void writesWhoseAnswerIsNotReadStoreAndFailAsTheTypedOnes() {
    cluster.createUnread(pod("web"));
    Pod stored = http.pods().inNamespace(NS).withName("web").get();
    assertThat(stored.getMetadata().getUid()).isNotBlank();
    assertThat(stored.getMetadata().getManagedFields())
        .extracting(f -> f.getManager() + " " + f.getOperation())
        .containsOnly(SandboxCluster.CONTROLLERS + " Update");

    cluster.replaceStatus(
        new PodBuilder(stored).editOrNewStatus().withPhase("Running").endStatus().build());
    assertThat(http.pods().inNamespace(NS).withName("web").get().getStatus().getPhase())
        .isEqualTo("Running");

    KubernetesClientException exists =
        catchThrowableOfType(
            KubernetesClientException.class, () -> cluster.createUnread(pod("web")));
    assertThat(exists.getCode()).isEqualTo(409);
    KubernetesClientException missing =
        catchThrowableOfType(
            KubernetesClientException.class, () -> cluster.replaceStatus(pod("nope")));
    assertThat(missing.getCode()).isEqualTo(404);
    assertThat(missing.getMessage()).contains("PUT /api/v1/namespaces/default/pods/nope/status");
  }
}
