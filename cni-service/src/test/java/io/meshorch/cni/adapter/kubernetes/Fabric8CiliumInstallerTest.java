package io.meshorch.cni.adapter.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HostAliasBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.meshorch.cni.adapter.pki.BouncyCastleCaGenerator;
import io.meshorch.cni.domain.CaSecretOutcome;
import io.meshorch.cni.domain.CiliumManifest;
import io.meshorch.cni.domain.CiliumRelease;
import io.meshorch.cni.domain.CiliumRollout;
import io.meshorch.cni.domain.MeshCa;
import io.meshorch.kit.failure.StepFailure;
import io.meshorch.kit.secrets.FileSecretStore;
import io.meshorch.kube.KubeClientProvider;
import io.meshorch.testkit.Kubeconfigs;
import io.meshorch.testkit.Samples;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@EnableKubernetesMockClient(crud = true)
class Fabric8CiliumInstallerTest {
  private static final String REF = "meshes/demo/clusters/east/kubeconfig";
  private static final BouncyCastleCaGenerator CAS =
      new BouncyCastleCaGenerator(Duration.ofDays(30), Clock.systemUTC());
  private static final CiliumManifest EAST =
      CiliumManifest.forCluster(Samples.cluster("east", 1, 2), new CiliumRelease("1.18.2"));

  KubernetesMockServer server;
  KubernetesClient client;

  @TempDir Path secrets;
  private KubeClientProvider clients;

  @BeforeEach
  void storeKubeconfig() {
    FileSecretStore store = new FileSecretStore(secrets);
    store.put(
        REF,
        Kubeconfigs.pointingAt(client.getConfiguration().getMasterUrl())
            .getBytes(StandardCharsets.UTF_8));
    clients = new KubeClientProvider(store, Duration.ofSeconds(5), Duration.ofSeconds(10));
  }

  @AfterEach
  void closeClients() {
    clients.close();
  }

  private Fabric8CiliumInstaller installer() {
    return new Fabric8CiliumInstaller(clients, ApplyMode.UPDATE);
  }

  private DaemonSet agents() {
    return client.apps().daemonSets().inNamespace("kube-system").withName("cilium").get();
  }

  private Deployment deployment(String name) {
    return client.apps().deployments().inNamespace("kube-system").withName(name).get();
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

  private static String decoded(Secret secret, String key) {
    return new String(
        Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
  }

  @Test
  void appliesConfigServiceAccountsAndWorkloadsAndConvergesWhenRepeated() {
    installer().apply(REF, EAST);
    installer().apply(REF, EAST);

    ConfigMap config =
        client.configMaps().inNamespace("kube-system").withName("cilium-config").get();
    assertThat(config.getData())
        .contains(
            entry("cluster-name", "east"),
            entry("cluster-id", "1"),
            entry("ipam", "cluster-pool"),
            entry("cluster-pool-ipv4-cidr", "10.101.0.0/16"),
            entry("cluster-pool-ipv4-mask-size", "24"),
            entry("routing-mode", "tunnel"),
            entry("tunnel-protocol", "vxlan"),
            entry("clustermesh-config", "/var/lib/cilium/clustermesh/"),
            entry("enable-ipv4", "true"));
    for (String sa : List.of("cilium", "cilium-operator", "clustermesh-apiserver")) {
      assertThat(client.serviceAccounts().inNamespace("kube-system").withName(sa).get())
          .as(sa)
          .isNotNull();
    }
    DaemonSet ds = agents();
    assertThat(ds.getSpec().getSelector().getMatchLabels())
        .containsExactly(entry("k8s-app", "cilium"));
    assertThat(ds.getSpec().getTemplate().getMetadata().getLabels())
        .contains(entry("k8s-app", "cilium"));
    assertThat(ds.getSpec().getTemplate().getSpec().getHostNetwork()).isTrue();
    assertThat(ds.getSpec().getTemplate().getSpec().getServiceAccountName()).isEqualTo("cilium");
    assertThat(ds.getSpec().getTemplate().getSpec().getTolerations())
        .singleElement()
        .satisfies(t -> assertThat(t.getOperator()).isEqualTo("Exists"));
    Container agent = ds.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(agent.getName()).isEqualTo("cilium-agent");
    assertThat(agent.getImage()).isEqualTo("quay.io/cilium/cilium:v1.18.2");
    assertThat(agent.getSecurityContext().getPrivileged()).isTrue();
    assertThat(agent.getEnv())
        .extracting(EnvVar::getName)
        .contains("K8S_NODE_NAME", "CILIUM_K8S_NAMESPACE", "CILIUM_CLUSTERMESH_CONFIG");
    assertThat(ds.getSpec().getTemplate().getSpec().getVolumes())
        .filteredOn(v -> v.getSecret() != null)
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.getSecret().getSecretName()).isEqualTo("cilium-clustermesh");
              assertThat(v.getSecret().getOptional()).isTrue();
            });
    Deployment operator = deployment("cilium-operator");
    assertThat(operator.getMetadata().getLabels()).contains(entry("io.cilium/app", "operator"));
    assertThat(operator.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .isEqualTo("quay.io/cilium/operator-generic:v1.18.2");
    Deployment apiserver = deployment("clustermesh-apiserver");
    assertThat(apiserver.getSpec().getTemplate().getMetadata().getLabels())
        .contains(entry("k8s-app", "clustermesh-apiserver"));
    assertThat(apiserver.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .isEqualTo("quay.io/cilium/clustermesh-apiserver:v1.18.2");
    assertThat(client.apps().daemonSets().inNamespace("kube-system").list().getItems()).hasSize(1);
    assertThat(client.apps().deployments().inNamespace("kube-system").list().getItems()).hasSize(2);
  }

  private void addHostAlias() {
    client
        .apps()
        .daemonSets()
        .inNamespace("kube-system")
        .withName("cilium")
        .edit(
            ds -> {
              ds.getSpec()
                  .getTemplate()
                  .getSpec()
                  .setHostAliases(
                      List.of(
                          new HostAliasBuilder()
                              .withIp("192.168.52.10")
                              .withHostnames("west.mesh.cilium.io")
                              .build()));
              return ds;
            });
  }

  @Test
  void keepsTheHostAliasesMeshServiceAddedWhenAppliedAgain() {
    installer().apply(REF, EAST);
    addHostAlias();

    installer().apply(REF, EAST);

    assertThat(agents().getSpec().getTemplate().getSpec().getHostAliases())
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.getIp()).isEqualTo("192.168.52.10");
              assertThat(a.getHostnames()).containsExactly("west.mesh.cilium.io");
            });
  }

  @Test
  void createsTheCaSecretOnceInDataAndNeverReplacesIt() {
    MeshCa ca = CAS.generate("demo");

    assertThat(installer().ensureCaSecret(REF, ca)).isEqualTo(CaSecretOutcome.CREATED);
    assertThat(installer().ensureCaSecret(REF, ca)).isEqualTo(CaSecretOutcome.ALREADY_PRESENT);
    assertThat(installer().ensureCaSecret(REF, CAS.generate("demo")))
        .isEqualTo(CaSecretOutcome.DIFFERENT_CA);

    Secret stored = client.secrets().inNamespace("kube-system").withName("cilium-ca").get();
    assertThat(stored.getData()).containsOnlyKeys("ca.crt", "ca.key");
    assertThat(decoded(stored, "ca.crt")).isEqualTo(ca.certificatePem());
    assertThat(decoded(stored, "ca.key")).isEqualTo(ca.privateKeyPem());
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

    assertThat(installer().ensureCaSecret(REF, CAS.generate("demo")))
        .isEqualTo(CaSecretOutcome.DIFFERENT_CA);
    assertThat(client.secrets().inNamespace("kube-system").withName("cilium-ca").get().getData())
        .containsOnlyKeys("ca.crt");
  }

  @Test
  void readsTheRolloutFromTheWorkloadsStatus() {
    assertThat(installer().rollout(REF)).isEqualTo(CiliumRollout.NOTHING);
    installer().apply(REF, EAST);

    agentsReady(3, 2);
    available("cilium-operator");
    assertThat(installer().rollout(REF)).isEqualTo(new CiliumRollout(3, 2, 1, 0));

    allReady(3);
    assertThat(installer().rollout(REF).ready()).isTrue();
  }

  @Test
  void nudgesWhenTheAgentsStatusChanges() throws Exception {
    installer().apply(REF, EAST);
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
  void stopsNudgingOnceTheWatchIsClosed() throws Exception {
    installer().apply(REF, EAST);
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
  void leavesUnchangedObjectsAloneWhenAppliedAgain() {
    installer().apply(REF, EAST);
    allReady(2);
    String version = agents().getMetadata().getResourceVersion();

    installer().apply(REF, EAST);

    assertThat(agents().getMetadata().getResourceVersion()).isEqualTo(version);
    assertThat(agents().getMetadata().getAnnotations())
        .containsKey(Fabric8CiliumInstaller.APPLIED_DIGEST);
    assertThat(installer().rollout(REF)).isEqualTo(new CiliumRollout(2, 2, 1, 1));
  }

  @Test
  void updatesAChangedReleaseAndKeepsTheHostAliasesMeshServiceAdded() {
    installer().apply(REF, EAST);
    addHostAlias();

    installer()
        .apply(
            REF,
            CiliumManifest.forCluster(Samples.cluster("east", 1, 2), new CiliumRelease("1.18.3")));

    assertThat(agents().getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .isEqualTo("quay.io/cilium/cilium:v1.18.3");
    assertThat(agents().getSpec().getTemplate().getSpec().getHostAliases())
        .singleElement()
        .satisfies(a -> assertThat(a.getIp()).isEqualTo("192.168.52.10"));
    assertThat(deployment("cilium-operator").getSpec().getTemplate().getSpec().getContainers())
        .singleElement()
        .satisfies(c -> assertThat(c.getImage()).endsWith(":v1.18.3"));
  }

  @Test
  void usesServerSideApplyWithItsFieldManagerWhenConfigured() throws Exception {
    Fabric8CiliumInstaller ssa = new Fabric8CiliumInstaller(clients, ApplyMode.SERVER_SIDE);

    // The mock server has no server-side apply: what matters is the request that was sent.
    try {
      ssa.apply(REF, EAST);
    } catch (StepFailure expected) {
      assertThat(expected.code()).startsWith("KUBE_API_");
    }

    RecordedRequest request = server.getLastRequest();
    assertThat(request.getMethod()).isEqualTo("PATCH");
    assertThat(request.getHeader("Content-Type")).startsWith("application/apply-patch+yaml");
    assertThat(request.getPath())
        .contains("fieldManager=meshorch-cni-service")
        .contains("force=true");
  }

  @Test
  void failsTerminallyWhenTheKubeconfigIsMissing() {
    assertThatThrownBy(() -> installer().apply("meshes/demo/clusters/none/kubeconfig", EAST))
        .isInstanceOfSatisfying(
            StepFailure.class,
            f -> {
              assertThat(f.code()).isEqualTo("KUBECONFIG_MISSING");
              assertThat(f.retryable()).isFalse();
            });
  }
}
