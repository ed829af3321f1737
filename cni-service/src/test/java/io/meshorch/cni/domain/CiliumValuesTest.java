package io.meshorch.cni.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshorch.contracts.ClusterSpec;
import io.meshorch.testkit.Samples;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CiliumValuesTest {
  private static final ApiServerEndpoint RKE = new ApiServerEndpoint("127.0.0.1", 6443);

  private static ClusterSpec cluster(String name, Integer id, String podCidr, int nodes) {
    ClusterSpec s = Samples.cluster("x", 1, nodes);
    return new ClusterSpec(
        name, id, nodes, podCidr, s.serviceCidr(), s.lbAddressPool(), s.machine());
  }

  private static IssuedCertificate pair(String tag) {
    return new IssuedCertificate(
        "-----BEGIN CERTIFICATE-----\n" + tag + "\n-----END CERTIFICATE-----\n",
        "-----BEGIN PRIVATE KEY-----\n" + tag + "\n-----END PRIVATE KEY-----\n");
  }

  private static final MeshCa CA =
      new MeshCa(pair("ca").certificatePem(), pair("ca").privateKeyPem());
  private static final ClusterMeshCertificates CERTS =
      new ClusterMeshCertificates(pair("server"), pair("admin"), pair("remote"), pair("local"));

  @SuppressWarnings("unchecked")
  private static Map<String, Object> at(Map<String, Object> values, String... path) {
    Map<String, Object> here = values;
    for (String key : path) {
      here = (Map<String, Object>) here.get(key);
    }
    return here;
  }

  private static String decoded(Object b64) {
    return new String(Base64.getDecoder().decode((String) b64), StandardCharsets.UTF_8);
  }

  @ParameterizedTest
  @CsvSource({
    "east, 1,   10.101.0.0/16",
    "c-255, 255, 172.16.0.0/20",
    "a, 7, 192.168.8.0/24",
  })
  void putsNameIdPodCidrTunnelAndApiServerIntoTheChartsValues(String name, int id, String podCidr) {
    Map<String, Object> values =
        CiliumValues.forCluster(cluster(name, id, podCidr, 1)).helmValues(RKE, CA, CERTS);

    assertThat(at(values, "cluster")).isEqualTo(Map.of("name", name, "id", id));
    assertThat(at(values, "ipam")).containsEntry("mode", "cluster-pool");
    assertThat(at(values, "ipam", "operator"))
        .containsEntry("clusterPoolIPv4PodCIDRList", List.of(podCidr))
        .containsEntry("clusterPoolIPv4MaskSize", 24);
    assertThat(values)
        .containsEntry("routingMode", "tunnel")
        .containsEntry("tunnelProtocol", "vxlan")
        .containsEntry("k8sServiceHost", "127.0.0.1")
        .containsEntry("k8sServicePort", 6443)
        .containsEntry("kubeProxyReplacement", "false");
    assertThat(at(values, "hubble")).containsEntry("enabled", false);
  }

  @Test
  void givesTheMeshCaAndProvidedCertificatesSoHelmGeneratesNothing() {
    Map<String, Object> values =
        CiliumValues.forCluster(Samples.cluster("east", 1, 2)).helmValues(RKE, CA, CERTS);

    assertThat(decoded(at(values, "tls", "ca").get("cert"))).isEqualTo(CA.certificatePem());
    assertThat(decoded(at(values, "tls", "ca").get("key"))).isEqualTo(CA.privateKeyPem());
    Map<String, Object> apiserver = at(values, "clustermesh", "apiserver");
    assertThat(at(values, "clustermesh")).containsEntry("useAPIServer", true);
    assertThat(at(apiserver, "service")).containsEntry("type", "LoadBalancer");
    assertThat(at(apiserver, "tls", "auto")).containsEntry("enabled", false);
    assertThat(decoded(at(apiserver, "tls", "server").get("cert"))).contains("server");
    assertThat(decoded(at(apiserver, "tls", "admin").get("key"))).contains("admin");
    assertThat(decoded(at(apiserver, "tls", "remote").get("cert"))).contains("remote");
    assertThat(apiserver).doesNotContainKey("kvstoremesh");
  }

  @Test
  void givesEqualValuesForEqualInputs() {
    ClusterSpec east = Samples.cluster("east", 1, 2);

    assertThat(CiliumValues.forCluster(east).helmValues(RKE, CA, CERTS))
        .isEqualTo(CiliumValues.forCluster(east).helmValues(RKE, CA, CERTS));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "Default | 1 | 10.1.0.0/16 | 1 | cluster.name",
        "default | 1 | 10.1.0.0/16 | 1 | cluster.name",
        "-east | 1 | 10.1.0.0/16 | 1 | cluster.name",
        "abcdefghijklmnopqrstuvwxyz0123456 | 1 | 10.1.0.0/16 | 1 | cluster.name",
        "east | 0 | 10.1.0.0/16 | 1 | cluster.id",
        "east | 256 | 10.1.0.0/16 | 1 | cluster.id",
        "east | 1 | 10.1.0.1/16 | 1 | cluster.podCidr",
        "east | 1 | fd00::/64 | 1 | cluster.podCidr",
        "east | 1 | 10.1.0.0/25 | 1 | smaller than the /24",
        "east | 1 | 10.1.0.0/23 | 3 | holds 2 node blocks",
      })
  void rejectsSpecsCiliumCannotRunWithNamingTheField(
      String name, int id, String podCidr, int nodes, String message) {
    assertThatThrownBy(() -> CiliumValues.forCluster(cluster(name, id, podCidr, nodes)))
        .isInstanceOf(InvalidCiliumValuesException.class)
        .hasMessageContaining(message);
  }

  @Test
  void requestsTheCertificatesWithTheNamesTheChartsGeneratorUses() {
    assertThat(ClusterMeshCertificates.requestsFor("east"))
        .containsExactly(
            new CertificateRequest(
                CertificateRequest.Role.SERVER,
                "clustermesh-apiserver.cilium.io",
                List.of(
                    "clustermesh-apiserver.cilium.io",
                    "*.mesh.cilium.io",
                    "clustermesh-apiserver.kube-system.svc"),
                List.of("127.0.0.1", "::1")),
            new CertificateRequest(
                CertificateRequest.Role.ADMIN, "admin-east", List.of(), List.of()),
            new CertificateRequest(CertificateRequest.Role.REMOTE, "remote", List.of(), List.of()),
            new CertificateRequest(
                CertificateRequest.Role.LOCAL, "local-east", List.of(), List.of()));
  }

  @Test
  void keepsCertificatesThroughTheSecretStoreEncodingAndNeverPrintsKeys() {
    ClusterMeshCertificates back = ClusterMeshCertificates.decode(CERTS.encode());

    assertThat(back).isEqualTo(CERTS);
    assertThat(CERTS.toString()).doesNotContain("PRIVATE KEY");
    assertThatThrownBy(() -> ClusterMeshCertificates.decode("junk".getBytes()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("8 PEM blocks");
  }
}
