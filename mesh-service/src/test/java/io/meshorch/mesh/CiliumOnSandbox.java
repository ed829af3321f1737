package io.meshorch.mesh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.meshorch.charts.ChartArchive;
import io.meshorch.charts.HelmChartRenderer;
import io.meshorch.charts.HelmRelease;
import io.meshorch.contracts.ClusterSpec;
import io.meshorch.contracts.NodeInfo;
import io.meshorch.kube.KubeApply;
import io.meshorch.sandbox.kube.SandboxKube;
import io.meshorch.sandbox.kube.rke.RkeStandIn;
import io.meshorch.testkit.Samples;
import java.io.OutputStream;
import java.io.PrintStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.yaml.snakeyaml.Yaml;

/**
 * Sandbox clusters as the steps before mesh-service leave them: brought up by the {@code rke}
 * stand-in (one node per {@code NodeInfo} of {@link Samples#nodes}), Cilium installed from the
 * official chart with the mesh's one CA (applied as cni-service does, field manager {@code
 * meshorch-cni}, Helm's release metadata), and MetalLB giving the clustermesh-apiserver its
 * LoadBalancer IP from the cluster's pool. The sandbox's controllers then play kubelet, MetalLB,
 * the agents and the clustermesh-apiserver's KVStoreMesh.
 */
final class CiliumOnSandbox {
  private static final String KS = "kube-system";
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
  private static final HelmRelease CILIUM = new HelmRelease("cilium", KS, "1.32.0");

  private final SandboxKube kube;
  private final Path work;
  private final HelmChartRenderer renderer = new HelmChartRenderer(SERIALIZATION);
  private final KubeApply cni = new KubeApply("cni");
  private final Map<String, String> meshCa = meshCa();

  CiliumOnSandbox(SandboxKube kube, Path work) {
    this.kube = kube;
    this.work = work;
  }

  /** Brings {@code spec} up with Cilium and its mesh endpoint; returns its admin kubeconfig. */
  String up(String meshId, ClusterSpec spec) throws Exception {
    Path dir = Files.createDirectories(work.resolve("rke").resolve(meshId + "-" + spec.name()));
    Path key = Files.writeString(dir.resolve("id_key"), "only checked to exist");
    List<Map<String, Object>> nodes =
        Samples.nodes(meshId, spec).stream().map(CiliumOnSandbox::rkeNode).toList();
    Map<String, Object> clusterYml = new LinkedHashMap<>();
    clusterYml.put("cluster_name", spec.name());
    clusterYml.put("ssh_key_path", key.toString());
    clusterYml.put("network", Map.of("plugin", "none"));
    clusterYml.put("nodes", nodes);
    Path file = Files.writeString(dir.resolve("cluster.yml"), new Yaml().dump(clusterYml));
    int code =
        RkeStandIn.run(
            new String[] {"up", "--config", file.toString()},
            new PrintStream(OutputStream.nullOutputStream()),
            kube.rkeControlUrl().toString());
    assertThat(code).as("rke up " + spec.name()).isZero();
    KubernetesClient client = kube.cluster(spec.name()).orElseThrow().client();
    installCilium(client, spec);
    installMetalLb(client, spec.lbAddressPool());
    await().atMost(Duration.ofSeconds(20)).until(() -> ingressIp(client) != null);
    return Files.readString(dir.resolve("kube_config_cluster.yml"));
  }

  private static Map<String, Object> rkeNode(NodeInfo n) {
    Map<String, Object> node = new LinkedHashMap<>();
    node.put("address", n.address());
    node.put("user", "ubuntu");
    node.put("role", List.of("controlplane", "etcd", "worker"));
    node.put("hostname_override", n.name());
    return node;
  }

  /**
   * The chart rendered as cni-service renders it, with the mesh's one CA as {@code tls.ca}: the
   * chart issues the clustermesh-apiserver's certificates from it.
   */
  private void installCilium(KubernetesClient client, ClusterSpec spec) {
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("cluster", Map.of("name", spec.name(), "id", spec.id()));
    values.put("hubble", Map.of("enabled", false));
    values.put(
        "clustermesh",
        Map.of(
            "useAPIServer",
            true,
            "apiserver",
            Map.of("service", Map.of("type", "LoadBalancer")),
            "config",
            Map.of("enabled", true)));
    values.put("tls", Map.of("ca", meshCa));
    List<HasMetadata> objects =
        renderer.render(ChartArchive.bundled(ChartArchive.CILIUM), CILIUM, values);
    for (HasMetadata o : objects) {
      cni.apply(client, KubeApply.asHelmRelease(o, "cilium", KS));
    }
  }

  /** A self-signed EC CA as the chart's {@code tls.ca} wants it: base64 of PEM cert and key. */
  private static Map<String, String> meshCa() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      KeyPair keys = generator.generateKeyPair();
      X500Name subject = new X500Name("CN=Cilium CA test");
      Instant now = Instant.now();
      byte[] der =
          new JcaX509v3CertificateBuilder(
                  subject,
                  BigInteger.valueOf(now.toEpochMilli()),
                  Date.from(now.minus(Duration.ofMinutes(5))),
                  Date.from(now.plus(Duration.ofDays(1))),
                  subject,
                  keys.getPublic())
              .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
              .addExtension(
                  Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
              .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()))
              .getEncoded();
      return Map.of(
          "cert", base64Pem("CERTIFICATE", der),
          "key", base64Pem("PRIVATE KEY", keys.getPrivate().getEncoded()));
    } catch (Exception e) {
      throw new IllegalStateException("cannot make the test CA", e);
    }
  }

  private static String base64Pem(String type, byte[] der) {
    String pem =
        "-----BEGIN "
            + type
            + "-----\n"
            + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der)
            + "\n-----END "
            + type
            + "-----\n";
    return Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.US_ASCII));
  }

  /**
   * What lb-service installs, reduced to what the sandbox's MetalLB controller needs to run and
   * assign an IP: its namespace, the six CRDs it watches, a ServiceAccount with rights on
   * everything (lb-service's tests check the real RBAC), the Deployment, the pool.
   */
  private static void installMetalLb(KubernetesClient c, String pool) {
    c.namespaces()
        .resource(
            new NamespaceBuilder()
                .withNewMetadata()
                .withName("metallb-system")
                .endMetadata()
                .build())
        .create();
    Map<String, String> crds = new LinkedHashMap<>();
    crds.put("IPAddressPool", "v1beta1");
    crds.put("L2Advertisement", "v1beta1");
    crds.put("BGPAdvertisement", "v1beta1");
    crds.put("BGPPeer", "v1beta2");
    crds.put("BFDProfile", "v1beta1");
    crds.put("Community", "v1beta1");
    crds.forEach(
        (kind, version) -> {
          String plural = kind.equals("Community") ? "communities" : kind.toLowerCase() + "s";
          c.apiextensions()
              .v1()
              .customResourceDefinitions()
              .resource(
                  new CustomResourceDefinitionBuilder()
                      .withNewMetadata()
                      .withName(plural + ".metallb.io")
                      .endMetadata()
                      .withNewSpec()
                      .withGroup("metallb.io")
                      .withScope("Namespaced")
                      .withNewNames()
                      .withKind(kind)
                      .withPlural(plural)
                      .withSingular(kind.toLowerCase())
                      .endNames()
                      .addNewVersion()
                      .withName(version)
                      .withServed(true)
                      .withStorage(true)
                      .endVersion()
                      .endSpec()
                      .build())
              .create();
        });
    c.serviceAccounts()
        .inNamespace("metallb-system")
        .resource(
            new ServiceAccountBuilder()
                .withNewMetadata()
                .withName("controller")
                .endMetadata()
                .build())
        .create();
    c.rbac()
        .clusterRoles()
        .resource(
            new ClusterRoleBuilder()
                .withNewMetadata()
                .withName("test:metallb-controller")
                .endMetadata()
                .addNewRule()
                .withApiGroups("*")
                .withResources("*")
                .withVerbs("*")
                .endRule()
                .build())
        .create();
    c.rbac()
        .clusterRoleBindings()
        .resource(
            new ClusterRoleBindingBuilder()
                .withNewMetadata()
                .withName("test:metallb-controller")
                .endMetadata()
                .withNewRoleRef()
                .withApiGroup("rbac.authorization.k8s.io")
                .withKind("ClusterRole")
                .withName("test:metallb-controller")
                .endRoleRef()
                .addNewSubject()
                .withKind("ServiceAccount")
                .withName("controller")
                .withNamespace("metallb-system")
                .endSubject()
                .build())
        .create();
    c.apps()
        .deployments()
        .inNamespace("metallb-system")
        .resource(
            new DeploymentBuilder()
                .withNewMetadata()
                .withName("controller")
                .endMetadata()
                .withNewSpec()
                .withReplicas(1)
                .withNewSelector()
                .addToMatchLabels("app.kubernetes.io/component", "controller")
                .endSelector()
                .withNewTemplate()
                .withNewMetadata()
                .addToLabels("app.kubernetes.io/component", "controller")
                .endMetadata()
                .withNewSpec()
                .withServiceAccountName("controller")
                .addNewContainer()
                .withName("controller")
                .withImage("quay.io/metallb/controller:v0.15.3")
                .endContainer()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build())
        .create();
    for (var kind :
        Map.of(
                "IPAddressPool",
                Map.of("addresses", List.of(pool)),
                "L2Advertisement",
                Map.of("ipAddressPools", List.of("mesh-pool")))
            .entrySet()) {
      c.genericKubernetesResources("metallb.io/v1beta1", kind.getKey())
          .inNamespace("metallb-system")
          .resource(
              new GenericKubernetesResourceBuilder()
                  .withApiVersion("metallb.io/v1beta1")
                  .withKind(kind.getKey())
                  .withNewMetadata()
                  .withName(kind.getKey().equals("IPAddressPool") ? "mesh-pool" : "mesh-l2")
                  .withNamespace("metallb-system")
                  .endMetadata()
                  .addToAdditionalProperties("spec", kind.getValue())
                  .build())
          .create();
    }
  }

  private static String ingressIp(KubernetesClient client) {
    Service svc = client.services().inNamespace(KS).withName("clustermesh-apiserver").get();
    if (svc == null
        || svc.getStatus() == null
        || svc.getStatus().getLoadBalancer() == null
        || svc.getStatus().getLoadBalancer().getIngress() == null
        || svc.getStatus().getLoadBalancer().getIngress().isEmpty()) {
      return null;
    }
    return svc.getStatus().getLoadBalancer().getIngress().get(0).getIp();
  }
}
