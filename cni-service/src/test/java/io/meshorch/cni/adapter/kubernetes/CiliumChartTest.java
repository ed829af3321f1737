package io.meshorch.cni.adapter.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.meshorch.charts.ChartArchive;
import io.meshorch.charts.HelmChartRenderer;
import io.meshorch.cni.adapter.pki.BouncyCastleCaGenerator;
import io.meshorch.cni.adapter.pki.BouncyCastleCertIssuer;
import io.meshorch.cni.adapter.pki.StoredClusterMeshCerts;
import io.meshorch.cni.domain.ApiServerEndpoint;
import io.meshorch.cni.domain.CiliumInstall;
import io.meshorch.cni.domain.CiliumValues;
import io.meshorch.cni.domain.MeshCa;
import io.meshorch.kit.failure.StepFailure;
import io.meshorch.kit.secrets.FileSecretStore;
import io.meshorch.testkit.Samples;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The objects cni-service applies, as the official chart renders them for a cluster's spec (Helm's
 * real engine, offline): values, certificates checked with the JDK's X.509 verification, order,
 * Helm's release metadata, an identical second render, and the same objects when several clusters
 * render at once.
 */
class CiliumChartTest {
  private static final KubernetesSerialization JSON = new KubernetesSerialization();
  private static final CiliumChart CHART =
      new CiliumChart(
          new HelmChartRenderer(JSON), ChartArchive.bundled(ChartArchive.CILIUM), "1.32.0");
  private static final MeshCa CA =
      new BouncyCastleCaGenerator(Duration.ofDays(365), Clock.systemUTC()).generate("demo");
  private static final StoredClusterMeshCerts CERTS = certs();

  private static StoredClusterMeshCerts certs() {
    try {
      return new StoredClusterMeshCerts(
          // under target/: the certificates' keys do not belong in the machine's /tmp, and a
          // static store has no test to delete it
          new FileSecretStore(
              Files.createTempDirectory(
                  Files.createDirectories(Path.of("target", "tmp")), "cni-chart-test")),
          new BouncyCastleCertIssuer(Duration.ofDays(30), Clock.systemUTC()));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** The chart cni-service installs (the kept archive, checked). */
  static CiliumChart chart() {
    return CHART;
  }

  /** What cni-service installs for cluster {@code name} of mesh {@code demo}. */
  static CiliumInstall install(String name, int id) {
    return new CiliumInstall(
        CiliumValues.forCluster(Samples.cluster(name, id, 2)),
        new ApiServerEndpoint("127.0.0.1", 6443),
        CA,
        CERTS.ensure("demo", name, CA));
  }

  private static <T extends HasMetadata> T find(
      List<HasMetadata> objects, Class<T> type, String name) {
    return objects.stream()
        .filter(type::isInstance)
        .map(type::cast)
        .filter(o -> name.equals(o.getMetadata().getName()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " " + name));
  }

  private static String decoded(Secret secret, String key) {
    return new String(
        Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
  }

  private static X509Certificate x509(String pem) throws Exception {
    return (X509Certificate)
        CertificateFactory.getInstance("X.509")
            .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.UTF_8)));
  }

  private static String commonName(X509Certificate cert) {
    return cert.getSubjectX500Principal().getName().replaceFirst("^CN=", "");
  }

  private static Set<String> sans(X509Certificate cert) throws Exception {
    return cert.getSubjectAlternativeNames().stream()
        .map(n -> String.valueOf(n.get(1)))
        .collect(Collectors.toSet());
  }

  @Test
  void putsTheClusterSpecIntoCiliumConfigAndTheAgents() {
    List<HasMetadata> objects = CHART.objects(install("west", 7));

    ConfigMap config = find(objects, ConfigMap.class, "cilium-config");
    assertThat(config.getData())
        .containsEntry("cluster-name", "west")
        .containsEntry("cluster-id", "7")
        .containsEntry("ipam", "cluster-pool")
        .containsEntry("cluster-pool-ipv4-cidr", Samples.cluster("west", 7, 2).podCidr())
        .containsEntry("cluster-pool-ipv4-mask-size", "24")
        .containsEntry("routing-mode", "tunnel")
        .containsEntry("tunnel-protocol", "vxlan")
        .containsEntry("kube-proxy-replacement", "false");
    DaemonSet agents = find(objects, DaemonSet.class, "cilium");
    List<EnvVar> env = agents.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv();
    assertThat(env)
        .contains(
            new EnvVar("KUBERNETES_SERVICE_HOST", "127.0.0.1", null),
            new EnvVar("KUBERNETES_SERVICE_PORT", "6443", null));
    assertThat(agents.getSpec().getTemplate().getSpec().getInitContainers())
        .extracting(c -> c.getName())
        .contains("install-cni-binaries", "mount-bpf-fs");
    assertThat(CiliumChart.version(objects)).isEqualTo("1.18.12");
  }

  @Test
  void rendersTheMeshControlPlaneAsALoadBalancerWithKvStoreMesh() {
    List<HasMetadata> objects = CHART.objects(install("west", 7));

    Service service = find(objects, Service.class, "clustermesh-apiserver");
    assertThat(service.getSpec().getType()).isEqualTo("LoadBalancer");
    assertThat(service.getSpec().getPorts()).extracting(p -> p.getPort()).containsExactly(2379);
    assertThat(service.getSpec().getSelector()).containsEntry("k8s-app", "clustermesh-apiserver");
    Deployment apiserver = find(objects, Deployment.class, "clustermesh-apiserver");
    assertThat(apiserver.getSpec().getTemplate().getSpec().getContainers())
        .extracting(c -> c.getName())
        .contains("etcd", "apiserver", "kvstoremesh");
  }

  @Test
  void carriesTheMeshCaAndCertificatesIssuedFromItWithTheNamesTheChartExpects() throws Exception {
    List<HasMetadata> objects = CHART.objects(install("west", 7));
    X509Certificate ca = x509(CA.certificatePem());

    Secret caSecret = find(objects, Secret.class, "cilium-ca");
    assertThat(decoded(caSecret, "ca.crt")).isEqualTo(CA.certificatePem());
    assertThat(decoded(caSecret, "ca.key")).isEqualTo(CA.privateKeyPem());
    Map<String, String> commonNames =
        Map.of(
            "clustermesh-apiserver-server-cert", "clustermesh-apiserver.cilium.io",
            "clustermesh-apiserver-admin-cert", "admin-west",
            "clustermesh-apiserver-remote-cert", "remote",
            "clustermesh-apiserver-local-cert", "local-west");
    for (var expected : commonNames.entrySet()) {
      Secret secret = find(objects, Secret.class, expected.getKey());
      assertThat(secret.getType()).isEqualTo("kubernetes.io/tls");
      assertThat(x509(decoded(secret, "ca.crt"))).isEqualTo(ca);
      X509Certificate cert = x509(decoded(secret, "tls.crt"));
      cert.verify(ca.getPublicKey()); // throws unless signed by the mesh CA
      cert.checkValidity();
      assertThat(cert.getIssuerX500Principal()).isEqualTo(ca.getSubjectX500Principal());
      assertThat(commonName(cert)).as(expected.getKey()).isEqualTo(expected.getValue());
      assertThat(cert.getExtendedKeyUsage())
          .contains("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"); // serverAuth, clientAuth
      assertThat(decoded(secret, "tls.key")).startsWith("-----BEGIN PRIVATE KEY-----");
    }
    X509Certificate server =
        x509(decoded(find(objects, Secret.class, "clustermesh-apiserver-server-cert"), "tls.crt"));
    assertThat(sans(server))
        .containsExactlyInAnyOrder(
            "clustermesh-apiserver.cilium.io",
            "*.mesh.cilium.io",
            "clustermesh-apiserver.kube-system.svc",
            "127.0.0.1",
            "0:0:0:0:0:0:0:1");
  }

  @Test
  void marksEveryObjectAsTheHelmReleaseAndAppliesWhatOthersReferToFirst() {
    List<HasMetadata> objects = CHART.objects(install("west", 7));

    assertThat(objects)
        .allSatisfy(
            o -> {
              assertThat(o.getMetadata().getLabels())
                  .containsEntry("app.kubernetes.io/managed-by", "Helm");
              assertThat(o.getMetadata().getAnnotations())
                  .containsEntry("meta.helm.sh/release-name", "cilium")
                  .containsEntry("meta.helm.sh/release-namespace", "kube-system");
            });
    List<String> kinds = objects.stream().map(HasMetadata::getKind).distinct().toList();
    assertThat(kinds)
        .containsSubsequence(
            "ServiceAccount", "ClusterRole", "RoleBinding", "ConfigMap", "Secret", "Service")
        .endsWith("DaemonSet", "Deployment");
    assertThat(objects)
        .extracting(o -> o.getKind() + "/" + o.getMetadata().getName())
        .contains(
            "ServiceAccount/cilium",
            "ServiceAccount/cilium-operator",
            "ServiceAccount/clustermesh-apiserver",
            "ClusterRole/cilium",
            "ClusterRoleBinding/clustermesh-apiserver",
            "DaemonSet/cilium",
            "Deployment/cilium-operator",
            "Deployment/clustermesh-apiserver")
        .doesNotHaveDuplicates();
  }

  @Test
  void rendersTheSameBytesAgainForTheSameInputs() {
    String first = JSON.asJson(CHART.objects(install("west", 7)));
    String again = JSON.asJson(CHART.objects(install("west", 7)));

    assertThat(again).isEqualTo(first);
    assertThat(JSON.asJson(CHART.objects(install("east", 1)))).isNotEqualTo(first);
  }

  @Test
  void clustersRenderedAtOnceGetTheObjectsTheyGetOneAfterAnother() throws Exception {
    List<String> names = List.of("west", "east", "north", "south");
    Map<String, String> alone = new HashMap<>();
    for (int i = 0; i < names.size(); i++) {
      alone.put(names.get(i), JSON.asJson(CHART.objects(install(names.get(i), i + 1))));
    }

    ExecutorService pool = Executors.newFixedThreadPool(names.size());
    try {
      CountDownLatch go = new CountDownLatch(1);
      Map<String, Future<String>> atOnce = new HashMap<>();
      for (int i = 0; i < names.size(); i++) {
        CiliumInstall install = install(names.get(i), i + 1);
        atOnce.put(
            names.get(i),
            pool.submit(
                () -> {
                  assertThat(go.await(30, TimeUnit.SECONDS)).as("released").isTrue();
                  return JSON.asJson(CHART.objects(install));
                }));
      }
      go.countDown();
      for (String name : names) {
        assertThat(atOnce.get(name).get(90, TimeUnit.SECONDS)).as(name).isEqualTo(alone.get(name));
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void reportsValuesTheChartRefusesAsATerminalFailure() {
    CiliumInstall bad =
        new CiliumInstall(
            new CiliumValues("West_1", 7, "10.9.0.0/16"),
            new ApiServerEndpoint("127.0.0.1", 6443),
            CA,
            CERTS.ensure("demo", "west", CA));

    assertThatThrownBy(() -> CHART.objects(bad))
        .isInstanceOfSatisfying(
            StepFailure.class,
            f -> {
              assertThat(f.code()).isEqualTo("CILIUM_CHART_REFUSED");
              assertThat(f.retryable()).isFalse();
              assertThat(f.getMessage())
                  .contains("cilium-1.18.12.tgz", "The cluster name is invalid");
            });
  }

  @Test
  void keepsTheValuesFileOutOfTheTemporaryFolder() throws Exception {
    Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
    CHART.objects(install("west", 7));

    try (var left = Files.list(tmp)) {
      assertThat(left.map(p -> p.getFileName().toString()))
          .noneMatch(n -> n.startsWith("meshorch-chart-"));
    }
  }
}
