package io.meshorch.cni.adapter.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HostAliasBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
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
import io.meshorch.cni.support.CiliumPlayer;
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

  private Fabric8CiliumInstaller installer() {
    return new Fabric8CiliumInstaller(clients, ApplyMode.UPDATE);
  }

  private DaemonSet agents() {
    return client.apps().daemonSets().inNamespace("kube-system").withName("cilium").get();
  }

  private Deployment deployment(String name) {
    return client.apps().deployments().inNamespace("kube-system").withName(name).get();
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
    CiliumPlayer player = new CiliumPlayer(client, 3);

    player.markAgentsReady(2);
    player.markAvailable("cilium-operator");
    assertThat(installer().rollout(REF)).isEqualTo(new CiliumRollout(3, 2, 1, 0));

    player.markAllReady();
    assertThat(installer().rollout(REF).ready()).isTrue();
  }

  @Test
  void leavesUnchangedObjectsAloneWhenAppliedAgain() {
    installer().apply(REF, EAST);
    new CiliumPlayer(client, 2).markAllReady();
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
