package io.meshorch.cni.adapter.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshorch.cni.adapter.pki.BouncyCastleCaGenerator;
import io.meshorch.cni.domain.CaSecretOutcome;
import io.meshorch.cni.domain.CiliumRollout;
import io.meshorch.cni.domain.MeshCa;
import io.meshorch.cni.port.CiliumInstallerPort;
import io.meshorch.kit.failure.StepFailure;
import io.meshorch.kit.secrets.FileSecretStore;
import io.meshorch.kube.KubeClientProvider;
import io.meshorch.sandbox.kube.SandboxApiServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the installer reads, watches and writes, against one API server of the sandbox with nothing
 * else running: the test plays the kubelet (it writes the workloads' status). The objects are
 * checked in {@link CiliumChartTest}, a whole install on a running sandbox cluster in CniServiceIT.
 */
class Fabric8CiliumInstallerTest {
  private static final String REF = "meshes/demo/clusters/east/kubeconfig";
  private static final BouncyCastleCaGenerator CAS =
      new BouncyCastleCaGenerator(Duration.ofDays(30), Clock.systemUTC());

  private SandboxApiServer server;
  private KubernetesClient client;

  @TempDir Path secrets;
  private KubeClientProvider clients;

  @BeforeEach
  void startServerAndStoreKubeconfig() {
    server = SandboxApiServer.start();
    client = server.client();
    FileSecretStore store = new FileSecretStore(secrets);
    store.put(REF, server.kubeconfig().getBytes(StandardCharsets.UTF_8));
    clients = new KubeClientProvider(store, Duration.ofSeconds(5), Duration.ofSeconds(10));
  }

  @AfterEach
  void closeClientsAndServer() {
    clients.close();
    server.close();
  }

  private Fabric8CiliumInstaller installer() {
    return new Fabric8CiliumInstaller(clients, CiliumChartTest.chart());
  }

  /** The three workloads, without status, as an apply leaves them. */
  private void workloads() {
    client
        .apps()
        .daemonSets()
        .inNamespace("kube-system")
        .resource(
            new DaemonSetBuilder()
                .withNewMetadata()
                .withName("cilium")
                .withNamespace("kube-system")
                .endMetadata()
                .build())
        .create();
    for (String name : new String[] {"cilium-operator", "clustermesh-apiserver"}) {
      client
          .apps()
          .deployments()
          .inNamespace("kube-system")
          .resource(
              new DeploymentBuilder()
                  .withNewMetadata()
                  .withName(name)
                  .withNamespace("kube-system")
                  .endMetadata()
                  .build())
          .create();
    }
  }

  /** Plays the kubelet: {@code ready} of {@code desired} agents ready. */
  private void agentsReady(int desired, int ready) {
    client
        .apps()
        .daemonSets()
        .inNamespace("kube-system")
        .withName("cilium")
        .editStatus(
            ds -> {
              ds.setStatus(
                  new DaemonSetStatusBuilder()
                      .withDesiredNumberScheduled(desired)
                      .withCurrentNumberScheduled(desired)
                      .withNumberReady(ready)
                      .withNumberAvailable(ready)
                      .withNumberMisscheduled(0)
                      .build());
              return ds;
            });
  }

  /** Plays the kubelet: one replica of Deployment {@code name} available. */
  private void available(String name) {
    client
        .apps()
        .deployments()
        .inNamespace("kube-system")
        .withName(name)
        .editStatus(
            d -> {
              d.setStatus(
                  new DeploymentStatusBuilder()
                      .withReplicas(1)
                      .withReadyReplicas(1)
                      .withAvailableReplicas(1)
                      .build());
              return d;
            });
  }

  private void allReady(int nodes) {
    agentsReady(nodes, nodes);
    available("cilium-operator");
    available("clustermesh-apiserver");
  }

  @Test
  void tellsWhetherTheCaSecretIsAbsentHoldsTheMeshCaOrAnother() {
    MeshCa ca = CAS.generate("demo");
    assertThat(installer().caSecret(REF, ca)).isEqualTo(CaSecretOutcome.ABSENT);
    client
        .secrets()
        .inNamespace("kube-system")
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("cilium-ca")
                .withNamespace("kube-system")
                .endMetadata()
                .addToData("ca.crt", b64(ca.certificatePem()))
                .addToData("ca.key", b64(ca.privateKeyPem()))
                .build())
        .create();

    assertThat(installer().caSecret(REF, ca)).isEqualTo(CaSecretOutcome.SAME_CA);
    assertThat(installer().caSecret(REF, CAS.generate("demo")))
        .isEqualTo(CaSecretOutcome.DIFFERENT_CA);
  }

  private static String b64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void reportsACaSecretSomeoneElseCreatedAsDifferent() {
    client
        .secrets()
        .inNamespace("kube-system")
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("cilium-ca")
                .withNamespace("kube-system")
                .endMetadata()
                .addToData("ca.crt", Base64.getEncoder().encodeToString("x".getBytes()))
                .build())
        .create();

    assertThat(installer().caSecret(REF, CAS.generate("demo")))
        .isEqualTo(CaSecretOutcome.DIFFERENT_CA);
    assertThat(client.secrets().inNamespace("kube-system").withName("cilium-ca").get().getData())
        .containsOnlyKeys("ca.crt");
  }

  @Test
  void readsTheRolloutFromTheWorkloadsStatus() {
    assertThat(installer().rollout(REF)).isEqualTo(CiliumRollout.NOTHING);
    workloads();

    agentsReady(3, 2);
    available("cilium-operator");
    assertThat(installer().rollout(REF)).isEqualTo(new CiliumRollout(3, 2, 1, 0));

    allReady(3);
    assertThat(installer().rollout(REF).ready()).isTrue();
  }

  @Test
  void nudgesWhenTheAgentsStatusChanges() throws Exception {
    workloads();
    AtomicInteger nudges = new AtomicInteger();

    AutoCloseable watch = installer().watchRollout(REF, nudges::incrementAndGet);
    try {
      assertThat(nudges).hasValue(0);
      agentsReady(2, 1);
      await().atMost(Duration.ofSeconds(10)).until(() -> nudges.get() > 0);
      int afterAgents = nudges.get();

      available("clustermesh-apiserver");

      await().atMost(Duration.ofSeconds(10)).until(() -> nudges.get() > afterAgents);
    } finally {
      watch.close();
    }
  }

  @Test
  void showsTheRolloutTheWatchesEventsCarriedWithoutReadingIt() throws Exception {
    workloads();
    CiliumInstallerPort.RolloutWatch watch = installer().watchRollout(REF, () -> {});
    try {
      // A watch begins with the objects there are, as a real API server's does.
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () -> watch.seen(Duration.ofMinutes(1)).equals(Optional.of(CiliumRollout.NOTHING)));

      agentsReady(3, 2);
      available("cilium-operator");
      available("clustermesh-apiserver");
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  watch
                      .seen(Duration.ofMinutes(1))
                      .equals(Optional.of(new CiliumRollout(3, 2, 1, 1))));
      long requests = server.requests();

      assertThat(watch.seen(Duration.ofMinutes(1))).contains(new CiliumRollout(3, 2, 1, 1));
      assertThat(server.requests()).isEqualTo(requests);
      await("the last event older than 10 ms")
          .atMost(Duration.ofSeconds(1))
          .until(() -> watch.seen(Duration.ofMillis(10)).isEmpty());
    } finally {
      watch.close();
    }
    assertThat(watch.seen(Duration.ofMinutes(1))).as("closed").isEmpty();
  }

  @Test
  void stopsNudgingOnceTheWatchIsClosed() throws Exception {
    workloads();
    AtomicInteger nudges = new AtomicInteger();
    AutoCloseable watch = installer().watchRollout(REF, nudges::incrementAndGet);
    agentsReady(2, 1);
    await().atMost(Duration.ofSeconds(10)).until(() -> nudges.get() > 0);

    watch.close();
    int atClose = nudges.get();
    agentsReady(2, 2);
    available("cilium-operator");

    await()
        .during(Duration.ofMillis(500))
        .atMost(Duration.ofSeconds(2))
        .untilAsserted(() -> assertThat(nudges).hasValue(atClose));
    assertThat(installer().rollout(REF)).isEqualTo(new CiliumRollout(2, 2, 1, 0));
  }

  @Test
  void appliesServerSideAsCniServiceTakingOverFieldsAnotherManagerSet() {
    // Someone set a field of Cilium's configuration by hand (kubectl apply, its own manager).
    client
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName("cilium-config")
                .withNamespace("kube-system")
                .endMetadata()
                .addToData("cluster-name", "by-hand")
                .build())
        .fieldManager("kubectl")
        .serverSideApply();

    installer().apply(REF, CiliumChartTest.install("east", 1));

    ConfigMap config =
        client.configMaps().inNamespace("kube-system").withName("cilium-config").get();
    assertThat(config.getData()).containsEntry("cluster-name", "east");
    assertThat(config.getMetadata().getManagedFields())
        .as("forced: the field is cni-service's now, and the hand's manager owns nothing")
        .extracting(ManagedFieldsEntry::getManager, ManagedFieldsEntry::getOperation)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("meshorch-cni", "Apply"));
    assertThat(
            client
                .apps()
                .daemonSets()
                .inNamespace("kube-system")
                .withName("cilium")
                .get()
                .getMetadata()
                .getManagedFields())
        .extracting(ManagedFieldsEntry::getManager)
        .containsExactly("meshorch-cni");
  }

  @Test
  void failsTerminallyWhenTheKubeconfigIsMissing() {
    assertThatThrownBy(
            () ->
                installer()
                    .apply(
                        "meshes/demo/clusters/none/kubeconfig", CiliumChartTest.install("east", 1)))
        .isInstanceOfSatisfying(
            StepFailure.class,
            f -> {
              assertThat(f.code()).isEqualTo("KUBECONFIG_MISSING");
              assertThat(f.retryable()).isFalse();
            });
  }
}
