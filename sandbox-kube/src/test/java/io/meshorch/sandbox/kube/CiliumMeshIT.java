package io.meshorch.sandbox.kube;

import static io.meshorch.sandbox.kube.KubeFixture.KS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class CiliumMeshIT {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  @TempDir Path dir;
  private final Set<String> blocked = ConcurrentHashMap.newKeySet();
  private SandboxKube kube;
  private KubernetesClient a;
  private KubernetesClient b;
  private String bIp;

  @BeforeEach
  void twoClustersWithCiliumAndAMeshEndpoint() throws Exception {
    kube =
        SandboxKube.builder()
            .controllerInterval(Duration.ofMillis(100))
            .meshReachability((from, ip, owner) -> !blocked.contains(ip))
            .build()
            .start();
    a = KubeFixture.up(kube, dir, "a", "127.20.4.1").client();
    b = KubeFixture.up(kube, dir, "b", "127.20.5.1").client();
    KubeFixture.installCilium(a, "a", "ca-1");
    KubeFixture.installCilium(b, "b", "ca-1");
    KubeFixture.installMetalLb(b, "192.168.51.10-192.168.51.12", true);
    bIp = KubeFixture.awaitIngressIp(b, "clustermesh-apiserver");
  }

  @AfterEach
  void stop() {
    kube.close();
  }

  private JsonNode status() throws Exception {
    KubeFixture.Exec exec = KubeFixture.exec(a, "cilium-dbg", "status", "-o", "json");
    assertThat(exec.exitCode()).isZero();
    return JSON.readTree(exec.stdout());
  }

  private JsonNode remote() throws Exception {
    JsonNode clusters = status().at("/cluster-mesh/clusters");
    assertThat(clusters.size()).isEqualTo(1);
    return clusters.get(0);
  }

  @Test
  void connectedAgentsListTheRemoteNodesAndReportItReady() throws Exception {
    KubeFixture.connect(a, "b", bIp, true);

    KubeFixture.Exec nodes = KubeFixture.exec(a, "cilium-dbg", "node", "list", "-o", "json");

    assertThat(nodes.exitCode()).isZero();
    JsonNode list = JSON.readTree(nodes.stdout());
    assertThat(list.valueStream().map(n -> n.get("name").asString()).toList())
        .containsExactlyInAnyOrder("a/a-node-0", "a/127.20.4.99", "b/b-node-0", "b/127.20.5.99");
    assertThat(list.get(0).at("/primary-address/ipv4/ip").asString()).isEqualTo("127.20.4.11");
    JsonNode remote = remote();
    assertThat(remote.get("name").asString()).isEqualTo("b");
    assertThat(remote.get("ready").asBoolean()).isTrue();
    assertThat(remote.get("num-nodes").asInt()).isEqualTo(2);
    assertThat(remote.get("num-failures").asInt()).isZero();
    assertThat(remote.get("last-failure").isNull()).isTrue();
    assertThat(status().at("/cilium/state").asString()).isEqualTo("Ok");
  }

  @Test
  void aRemoteServingACertificateOfAnotherCaIsNotConnectedWithTheTlsError() throws Exception {
    // b's etcd now serves the certificate the chart issued from another CA (ca-2).
    Secret other = KubeFixture.ciliumSecret(b, "ca-2", "clustermesh-apiserver-server-cert");
    b.secrets()
        .inNamespace(KS)
        .withName("clustermesh-apiserver-server-cert")
        .edit(
            s -> {
              s.setData(other.getData());
              return s;
            });
    KubeFixture.connect(a, "b", bIp, false);

    JsonNode remote = remote();

    assertThat(remote.get("ready").asBoolean()).isFalse();
    assertThat(remote.get("status").asString()).isEqualTo("not connected");
    assertThat(remote.get("last-failure").asString())
        .isEqualTo(
            "tls: failed to verify certificate: x509: certificate signed by unknown authority");
    String nodes = KubeFixture.exec(a, "cilium-dbg", "node", "list", "-o", "json").stdout();
    assertThat(nodes).doesNotContain("b/");
  }

  @Test
  void aServerCertificateWithoutTheMeshNameIsRefusedForItsSans() throws Exception {
    String pem = CiliumRender.serverCertWithoutMeshSan();
    b.secrets()
        .inNamespace(KS)
        .withName("clustermesh-apiserver-server-cert")
        .edit(
            s -> {
              s.getData().put("tls.crt", KubeFixture.b64(pem));
              return s;
            });
    KubeFixture.connect(a, "b", bIp, true);

    assertThat(remote().get("last-failure").asString())
        .isEqualTo(
            "tls: failed to verify certificate: x509: certificate is valid for"
                + " clustermesh-apiserver.cilium.io, clustermesh-apiserver.kube-system.svc,"
                + " not b.mesh.cilium.io");
  }

  @Test
  void anAgentWithoutItsClientCertificateFilesCannotConnect() throws Exception {
    a.secrets().inNamespace(KS).withName("clustermesh-apiserver-remote-cert").delete();
    KubeFixture.connect(a, "b", bIp, true);

    assertThat(remote().get("last-failure").asString())
        .isEqualTo(
            "open /var/lib/cilium/clustermesh/common-etcd-client-ca.crt: no such file or directory");
  }

  @Test
  void throughKvstoremeshTheApiserverDialsTheRemoteWithItsOwnCertificates() throws Exception {
    KubeFixture.connectThroughKvstoremesh(a, "b", bIp);

    await().atMost(Duration.ofSeconds(20)).until(() -> remote().get("ready").asBoolean());

    Secret other = KubeFixture.ciliumSecret(b, "ca-2", "clustermesh-apiserver-server-cert");
    b.secrets()
        .inNamespace(KS)
        .withName("clustermesh-apiserver-server-cert")
        .edit(
            s -> {
              s.setData(other.getData());
              return s;
            });
    assertThat(remote().get("last-failure").asString())
        .isEqualTo(
            "tls: failed to verify certificate: x509: certificate signed by unknown authority");
  }

  @Test
  void aNameThatTheRemoteDoesNotCarryIsAConfigurationFailure() throws Exception {
    KubeFixture.connect(a, "c", bIp, true);

    JsonNode remote = remote();

    assertThat(remote.get("ready").asBoolean()).isFalse();
    assertThat(remote.get("last-failure").asString()).contains("configuration");
  }

  @Test
  void anUnreachableEndpointTimesOut() throws Exception {
    blocked.add(bIp);
    KubeFixture.connect(a, "b", bIp, true);

    assertThat(remote().get("last-failure").asString())
        .isEqualTo("dial tcp " + bIp + ":2379: i/o timeout");

    blocked.clear();
    b.apps().deployments().inNamespace(KS).withName("clustermesh-apiserver").scale(0);
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> assertThat(remote().get("last-failure").asString()).contains("i/o timeout"));
  }

  @Test
  void aConnectedRemoteThatChangesIsSeenAtTheNextStatusNotLater() throws Exception {
    // The sandbox reuses what it worked out of a link while nothing it depends on changed: a write
    // on the remote (or a block of its endpoint) must show at once, as on a real agent.
    KubeFixture.connect(a, "b", bIp, true);
    assertThat(remote().get("ready").asBoolean()).isTrue();

    blocked.add(bIp);
    assertThat(remote().get("last-failure").asString())
        .isEqualTo("dial tcp " + bIp + ":2379: i/o timeout");
    blocked.clear();
    assertThat(remote().get("ready").asBoolean()).isTrue();

    String pem = CiliumRender.serverCertWithoutMeshSan();
    b.secrets()
        .inNamespace(KS)
        .withName("clustermesh-apiserver-server-cert")
        .edit(
            s -> {
              s.getData().put("tls.crt", KubeFixture.b64(pem));
              return s;
            });
    assertThat(remote().get("last-failure").asString())
        .startsWith("tls: failed to verify certificate: x509: certificate is valid for");
  }

  @Test
  void unknownCommandFailsWithExitCode127() throws Exception {
    KubeFixture.Exec exec = KubeFixture.exec(a, "cilium-dbg", "frobnicate");

    assertThat(exec.exitCode()).isEqualTo(127);
    assertThat(exec.stdout()).isEmpty();
  }

  @Test
  void execIntoAMissingPodFailsWithNotFound() {
    assertThatThrownBy(
            () ->
                a.pods()
                    .inNamespace(KS)
                    .withName("cilium-gone1")
                    .redirectingOutput()
                    .exec("cilium-dbg", "status", "-o", "json"))
        .isInstanceOfSatisfying(
            KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(404));
  }
}
