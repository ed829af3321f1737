package io.meshorch.sandbox.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatusBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The API server alone, as a test that plays a cluster's controllers uses it: through a client of
 * its own kubeconfig, applies keep their field manager, status is a subresource, a watch begins
 * with what is stored, and nothing else writes (no controller gives the DaemonSet a status).
 */
class SandboxApiServerIT {
  private static DaemonSet agents() {
    return new DaemonSetBuilder()
        .withNewMetadata()
        .withName("cilium")
        .withNamespace("kube-system")
        .endMetadata()
        .withNewSpec()
        .withNewSelector()
        .addToMatchLabels("k8s-app", "cilium")
        .endSelector()
        .withNewTemplate()
        .withNewMetadata()
        .addToLabels("k8s-app", "cilium")
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("cilium-agent")
        .withImage("quay.io/cilium/cilium:v1.18.12")
        .endContainer()
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  @Test
  void storesAppliesAndStatusAsAnApiServerDoesAndWatchesBeginWithWhatIsStored() throws Exception {
    try (SandboxApiServer server = SandboxApiServer.start();
        KubernetesClient user =
            new KubernetesClientBuilder()
                .withConfig(Config.fromKubeconfig(server.kubeconfig()))
                .build()) {
      DaemonSet applied =
          user.resource(agents()).fieldManager("meshorch-cni").forceConflicts().serverSideApply();
      assertThat(applied.getMetadata().getManagedFields())
          .extracting(ManagedFieldsEntry::getManager, ManagedFieldsEntry::getOperation)
          .containsExactly(org.assertj.core.groups.Tuple.tuple("meshorch-cni", "Apply"));

      List<String> events = new CopyOnWriteArrayList<>();
      Watch watch =
          user.apps()
              .daemonSets()
              .inNamespace("kube-system")
              .withName("cilium")
              .watch(
                  new Watcher<>() {
                    @Override
                    public void eventReceived(Action action, DaemonSet ds) {
                      Integer ready =
                          ds.getStatus() == null ? null : ds.getStatus().getNumberReady();
                      events.add(action + " ready=" + ready);
                    }

                    @Override
                    public void onClose(WatcherException cause) {}
                  });
      try {
        await().atMost(Duration.ofSeconds(10)).until(() -> events.contains("ADDED ready=null"));
        long requests = server.requests();

        // The test plays the kubelet: status is written through its subresource only.
        server
            .client()
            .apps()
            .daemonSets()
            .inNamespace("kube-system")
            .withName("cilium")
            .editStatus(
                ds -> {
                  ds.setStatus(
                      new DaemonSetStatusBuilder()
                          .withDesiredNumberScheduled(2)
                          .withNumberReady(2)
                          .build());
                  return ds;
                });

        await().atMost(Duration.ofSeconds(10)).until(() -> events.contains("MODIFIED ready=2"));
        assertThat(server.requests()).as("the status write, counted").isGreaterThan(requests);
        DaemonSet stored =
            user.apps().daemonSets().inNamespace("kube-system").withName("cilium").get();
        assertThat(stored.getStatus().getNumberReady()).isEqualTo(2);
        assertThat(stored.getSpec().getTemplate().getSpec().getContainers())
            .as("the applied spec, kept by the status write")
            .hasSize(1);
      } finally {
        watch.close();
      }
      assertThat(events).as("nothing but the test wrote").hasSize(2);
    }
  }
}
