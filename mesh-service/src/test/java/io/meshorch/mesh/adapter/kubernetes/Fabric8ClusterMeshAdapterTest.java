package io.meshorch.mesh.adapter.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.meshorch.kit.failure.StepFailure;
import io.meshorch.kit.secrets.FileSecretStore;
import io.meshorch.kube.KubeClientProvider;
import io.meshorch.mesh.domain.AgentReport;
import io.meshorch.mesh.domain.ApiserverRollout;
import io.meshorch.mesh.domain.CiliumCa;
import io.meshorch.mesh.domain.RemoteCluster;
import io.meshorch.mesh.domain.RemoteStatus;
import io.meshorch.mesh.port.ClusterMeshPort;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Fabric8ClusterMeshAdapterTest {
  private static final String REF = "meshes/m1/clusters/east/kubeconfig";
  private static final List<String> NODE_LIST = List.of("cilium-dbg", "node", "list", "-o", "json");
  private static final List<String> STATUS = List.of("cilium-dbg", "status", "-o", "json");
  private static final List<RemoteCluster> REMOTES =
      List.of(
          new RemoteCluster("west", "192.168.52.10", 2379),
          new RemoteCluster("north", "192.168.53.10", 2379));

  @TempDir Path secrets;
  private AgentCluster cluster;
  private KubeClientProvider clients;
  private Fabric8ClusterMeshAdapter adapter;

  @BeforeEach
  void start() {
    cluster = new AgentCluster("east");
    FileSecretStore store = new FileSecretStore(secrets);
    store.put(REF, cluster.kubeconfig().getBytes(StandardCharsets.UTF_8));
    clients = new KubeClientProvider(store, Duration.ofSeconds(5), Duration.ofSeconds(10));
    adapter = new Fabric8ClusterMeshAdapter(clients, Duration.ofSeconds(10), "cilium-agent");
  }

  @AfterEach
  void stop() {
    clients.close();
    cluster.close();
  }

  /** The writes are tested on the sandbox, which answers server-side apply: ConnectOnSandboxIT. */
  @Test
  void failsTerminallyWhenCiliumIsNotInstalled() {
    assertThatThrownBy(() -> adapter.writeMeshConfig(REF, REMOTES))
        .isInstanceOfSatisfying(
            StepFailure.class,
            e -> {
              assertThat(e.code()).isEqualTo("CILIUM_NOT_INSTALLED");
              assertThat(e.retryable()).isFalse();
            });
  }

  @Test
  void readsTheClustermeshApiserverRolloutAsKubectlRolloutStatusAndWatchesItsChanges()
      throws Exception {
    assertThatThrownBy(() -> adapter.apiserverRollout(REF))
        .isInstanceOfSatisfying(
            StepFailure.class, e -> assertThat(e.code()).isEqualTo("CILIUM_NOT_INSTALLED"));
    // Mid-rollout: the new template seen, its pod created but not available yet, the old one
    // still serving.
    Deployment apiserver =
        cluster
            .client()
            .apps()
            .deployments()
            .resource(
                new DeploymentBuilder()
                    .withNewMetadata()
                    .withName("clustermesh-apiserver")
                    .withNamespace("kube-system")
                    .withGeneration(2L)
                    .endMetadata()
                    .withNewSpec()
                    .withReplicas(1)
                    .endSpec()
                    .withNewStatus()
                    .withObservedGeneration(2L)
                    .withReplicas(2)
                    .withUpdatedReplicas(1)
                    .withAvailableReplicas(1)
                    .endStatus()
                    .build())
            .create();
    AtomicInteger changes = new AtomicInteger();

    ApiserverRollout during = adapter.apiserverRollout(REF);
    ClusterMeshPort.ApiserverWatch watch = adapter.watchApiserver(REF, changes::incrementAndGet);
    try {
      // A watch begins with the object as it is; each change then shows the rollout unread.
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> watch.seen(Duration.ofMinutes(1)).equals(Optional.of(during)));
      apiserver.setStatus(
          new DeploymentStatusBuilder()
              .withObservedGeneration(2L)
              .withReplicas(1)
              .withUpdatedReplicas(1)
              .withAvailableReplicas(1)
              .build());
      cluster.client().apps().deployments().resource(apiserver).updateStatus();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> watch.seen(Duration.ofMinutes(1)).map(ApiserverRollout::done).orElse(false));
      assertThat(changes).hasPositiveValue();
    } finally {
      watch.close();
    }
    assertThat(watch.seen(Duration.ofMinutes(1))).as("closed").isEmpty();

    assertThat(during.done()).isFalse();
    assertThat(during.describe()).isEqualTo("1/1 updated, 1 available, 1 old");
    assertThat(adapter.apiserverRollout(REF).done()).isTrue();
  }

  @ParameterizedTest(name = "under {0}")
  @ValueSource(strings = {"ca.crt", "tls.crt"})
  void readsTheClustersCiliumCaAsTheFingerprintOfItsCertificate(String key) throws Exception {
    byte[] der = selfSignedCa();
    // What cni-service (ca.crt) or cert-manager (tls.crt) stores, the key beside it.
    ciliumCaSecret(Map.of(key, pem(der), "ca.key", "a private key, never read"));

    CiliumCa ca = adapter.ciliumCa(REF);

    assertThat(ca.sha256())
        .isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(der)));
  }

  @Test
  void failsTerminallyNamingTheSecretWhenTheClusterHasNoCiliumCa() {
    assertThatThrownBy(() -> adapter.ciliumCa(REF))
        .isInstanceOfSatisfying(
            StepFailure.class,
            e -> {
              assertThat(e.code()).isEqualTo("CILIUM_CA_MISSING");
              assertThat(e.retryable()).isFalse();
            })
        .hasMessageStartingWith("Secret kube-system/cilium-ca does not exist");
  }

  @Test
  void failsTerminallyWhenTheCiliumCaHoldsNoCertificate() {
    ciliumCaSecret(Map.of("ca.crt", "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n"));

    assertThatThrownBy(() -> adapter.ciliumCa(REF))
        .isInstanceOfSatisfying(
            StepFailure.class, e -> assertThat(e.code()).isEqualTo("CILIUM_CA_INVALID"))
        .hasMessage(
            "Secret kube-system/cilium-ca does not hold a PEM X.509 certificate in its data");
  }

  private void ciliumCaSecret(Map<String, String> data) {
    Map<String, String> encoded = new java.util.LinkedHashMap<>();
    data.forEach(
        (k, v) ->
            encoded.put(
                k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.US_ASCII))));
    cluster
        .client()
        .secrets()
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("cilium-ca")
                .withNamespace("kube-system")
                .endMetadata()
                .withData(encoded)
                .build())
        .create();
  }

  private static byte[] selfSignedCa() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    var keys = generator.generateKeyPair();
    X500Name subject = new X500Name("CN=Cilium CA m1");
    Instant now = Instant.now();
    return new JcaX509v3CertificateBuilder(
            subject,
            BigInteger.ONE,
            Date.from(now),
            Date.from(now.plus(Duration.ofDays(1))),
            subject,
            keys.getPublic())
        .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
        .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()))
        .getEncoded();
  }

  private static String pem(byte[] der) {
    return "-----BEGIN CERTIFICATE-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END CERTIFICATE-----\n";
  }

  @Test
  void failsTerminallyWithoutAKubeconfig() {
    assertThatThrownBy(() -> adapter.agentReports("meshes/m1/clusters/nowhere/kubeconfig", true))
        .isInstanceOfSatisfying(
            StepFailure.class, e -> assertThat(e.code()).isEqualTo("KUBECONFIG_MISSING"));
  }

  @Test
  void readsWhatEveryAgentPodSeesThroughExec() {
    cluster.withPod("cilium-a1", "cilium").withPod("coredns-1", "kube-dns");
    cluster.answer(
        "cilium-a1",
        NODE_LIST,
        () ->
            new AgentCluster.Answer(
                """
                [{"name":"east/e0","primary-address":{"ipv4":{"enabled":true,"ip":"10.1.0.1"}}},
                 {"name":"west/w0","source":"custom-resource"},
                 {"name":"west/w1"}]
                """,
                "",
                0));
    cluster.answer(
        "cilium-a1",
        STATUS,
        () ->
            new AgentCluster.Answer(
                """
                {"cilium":{"state":"Ok"},"cluster-mesh":{"clusters":[
                  {"name":"west","ready":true,"status":"2 nodes, 2 endpoints","num-nodes":2,
                   "num-endpoints":2,"num-failures":0},
                  {"name":"north","ready":false,"status":"not connected","num-nodes":0,
                   "last-failure":"dial tcp 192.168.53.10:2379: i/o timeout"}]}}
                """,
                "",
                0));

    List<AgentReport> reports = adapter.agentReports(REF, true);

    assertThat(reports)
        .containsExactly(
            AgentReport.of(
                "cilium-a1",
                List.of("east/e0", "west/w0", "west/w1"),
                List.of(
                    new RemoteStatus("west", true, "2 nodes, 2 endpoints", 2, null),
                    new RemoteStatus(
                        "north",
                        false,
                        "not connected",
                        0,
                        "dial tcp 192.168.53.10:2379: i/o timeout"))));
    assertThat(cluster.execPaths())
        .containsExactly(
            "/api/v1/namespaces/kube-system/pods/cilium-a1/exec?command=cilium-dbg&command=node"
                + "&command=list&command=-o&command=json&container=cilium-agent&stdout=true&stderr=true",
            "/api/v1/namespaces/kube-system/pods/cilium-a1/exec?command=cilium-dbg&command=status"
                + "&command=-o&command=json&container=cilium-agent&stdout=true&stderr=true");
  }

  /**
   * An exec whose WebSocket upgrade does not complete within the client's request timeout (the
   * command never started) is made once more: the agent's answer arrives on the second attempt, and
   * the server saw the command twice. With one attempt the pass would fail.
   */
  @Test
  void anExecWhoseUpgradeDoesNotCompleteIsTriedOnceMore() {
    KubeClientProvider quick =
        new KubeClientProvider(
            new FileSecretStore(secrets), Duration.ofSeconds(5), Duration.ofSeconds(2));
    try {
      Fabric8ClusterMeshAdapter impatient =
          new Fabric8ClusterMeshAdapter(quick, Duration.ofSeconds(10), "cilium-agent");
      cluster.withPod("cilium-a1", "cilium");
      cluster.answer(
          "cilium-a1", NODE_LIST, () -> new AgentCluster.Answer("[{\"name\":\"east/e0\"}]", "", 0));
      cluster.answer(
          "cilium-a1",
          STATUS,
          () -> new AgentCluster.Answer("{\"cilium\":{\"state\":\"Ok\"}}", "", 0));
      cluster.stallNextExec("cilium-a1", NODE_LIST, Duration.ofMillis(2_500));

      List<AgentReport> reports = impatient.agentReports(REF, false);

      assertThat(reports).extracting(AgentReport::nodes).containsExactly(List.of("east/e0"));
      assertThat(cluster.execPaths())
          .filteredOn(path -> path.contains("command=node"))
          .as("the stalled exec and the one that answered")
          .hasSize(2);
    } finally {
      quick.close();
    }
  }

  /**
   * One agent that does not see remote north ("remote cluster configuration required"), and a
   * KVStoreMesh that cannot dial north.
   */
  private void agentLacksNorthThatKvstoreMeshCannotDial() {
    cluster
        .withPod("cilium-a1", "cilium")
        .withPod(
            "clustermesh-apiserver-1", "clustermesh-apiserver", "etcd", "apiserver", "kvstoremesh");
    cluster.answer(
        "cilium-a1", NODE_LIST, () -> new AgentCluster.Answer("[{\"name\":\"east/e0\"}]", "", 0));
    cluster.answer(
        "cilium-a1",
        STATUS,
        () ->
            new AgentCluster.Answer(
                """
                {"cluster-mesh":{"clusters":[{"name":"north","ready":false,
                  "status":"not connected","num-nodes":0,
                  "last-failure":"remote cluster configuration required but not found"}]}}
                """,
                "",
                0));
    cluster.answer(
        "clustermesh-apiserver-1",
        List.of("clustermesh-apiserver", "kvstoremesh-dbg", "status", "-o", "json"),
        () ->
            new AgentCluster.Answer(
                """
                [{"name":"north","ready":false,"status":"not connected","num-nodes":0,
                  "last-failure":"dial tcp 192.168.53.10:2379: i/o timeout"}]
                """,
                "",
                0));
  }

  @Test
  void asksKvstoreMeshNothingWhenNotToldToExplainGaps() {
    agentLacksNorthThatKvstoreMeshCannotDial();

    List<AgentReport> reports = adapter.agentReports(REF, false);

    // the agent's own words, and no exec in the clustermesh-apiserver
    assertThat(reports.get(0).statusOf("north"))
        .contains(
            new RemoteStatus(
                "north",
                false,
                "not connected",
                0,
                "remote cluster configuration required but not found"));
    assertThat(cluster.execPaths()).noneMatch(path -> path.contains("clustermesh-apiserver-1"));
  }

  @Test
  void explainsARemoteTheAgentsLackWithWhatKvstoreMeshReportsForIt() {
    agentLacksNorthThatKvstoreMeshCannotDial();

    List<AgentReport> reports = adapter.agentReports(REF, true);

    assertThat(reports.get(0).statusOf("north"))
        .contains(
            new RemoteStatus(
                "north",
                false,
                "not connected",
                0,
                "kvstoremesh: dial tcp 192.168.53.10:2379: i/o timeout"));
    assertThat(cluster.execPaths())
        .last()
        .isEqualTo(
            "/api/v1/namespaces/kube-system/pods/clustermesh-apiserver-1/exec"
                + "?command=clustermesh-apiserver&command=kvstoremesh-dbg&command=status"
                + "&command=-o&command=json&container=kvstoremesh&stdout=true&stderr=true");
  }

  @Test
  void readsALargeNodeListCompletely() {
    cluster.withPod("cilium-a1", "cilium");
    String nodes =
        IntStream.range(0, 2000)
            .mapToObj(
                i ->
                    "{\"name\":\"west/mesh-m1-west-node-"
                        + i
                        + "\",\"pad\":\""
                        + "x".repeat(60)
                        + "\"}")
            .collect(Collectors.joining(",", "[", "]"));
    cluster.answer("cilium-a1", NODE_LIST, () -> new AgentCluster.Answer(nodes, "", 0));
    cluster.answer("cilium-a1", STATUS, () -> new AgentCluster.Answer("{}", "", 0));

    AgentReport report = adapter.agentReports(REF, true).get(0);

    assertThat(report.error()).isNull();
    assertThat(report.nodes()).hasSize(2000);
    assertThat(report.remotes()).isEmpty();
  }

  @Test
  void reportsAnAgentThatCannotBeReadInsteadOfFailing() {
    cluster.withPod("cilium-a1", "cilium").withPod("cilium-a2", "cilium");
    cluster.answer(
        "cilium-a1",
        NODE_LIST,
        () ->
            new AgentCluster.Answer(
                "", "Error: cannot connect to the agent: connection refused\nmore\n", 1));
    cluster.answer("cilium-a2", NODE_LIST, () -> new AgentCluster.Answer("not json", "", 0));

    List<AgentReport> reports = adapter.agentReports(REF, true);

    assertThat(reports)
        .extracting(AgentReport::pod, AgentReport::error)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple(
                "cilium-a1",
                "cilium-dbg node list -o json exited with 1: Error: cannot connect to the agent:"
                    + " connection refused"),
            org.assertj.core.groups.Tuple.tuple("cilium-a2", "node list output is not valid JSON"));
  }
}
