package io.meshorch.sandbox.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.HostAliasBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.ExecWatch;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class SandboxKubeTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  @TempDir Path dir;
  private SandboxKube kube;

  @BeforeEach
  void start() {
    kube = SandboxKube.builder().controllerInterval(Duration.ofMillis(100)).build().start();
  }

  @AfterEach
  void stop() {
    kube.close();
  }

  private Path clusterYml(String name, String first, String plugin) throws Exception {
    Path key = dir.resolve("id_key");
    if (!Files.exists(key)) {
      Files.writeString(key, "not used by the sandbox, but must be readable");
    }
    Path d = Files.createDirectories(dir.resolve(name));
    Path file = d.resolve("cluster.yml");
    Files.writeString(
        file,
        """
        cluster_name: %1$s
        ssh_key_path: %2$s
        nodes:
        - {address: %3$s, user: ubuntu, role: [controlplane, etcd, worker], hostname_override: %1$s-node-0}
        - {address: %4$s, user: ubuntu, role: [worker], hostname_override: %1$s-node-1}
        network: {plugin: %5$s}
        services:
          kube-api: {service_cluster_ip_range: 10.201.0.0/16}
          kube-controller: {cluster_cidr: 10.101.0.0/16, service_cluster_ip_range: 10.201.0.0/16}
          kubelet: {cluster_dns_server: 10.201.0.10}
        """
            .formatted(name, key, first, first.replaceAll("\\.\\d+$", ".99"), plugin));
    return file;
  }

  private Process rke(Path file) throws Exception {
    Path script = RkeStandInScript.write(dir.resolve("bin"), kube.rkeControlUrl());
    return new ProcessBuilder(script.toString(), "up", "--config", file.toString())
        .redirectErrorStream(true)
        .start();
  }

  private SandboxCluster up(String name, String first) throws Exception {
    Path file = clusterYml(name, first, "none");
    int code =
        io.meshorch.sandbox.kube.rke.RkeStandIn.run(
            new String[] {"up", "--config", file.toString()},
            new java.io.PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            kube.rkeControlUrl().toString());
    assertThat(code).isZero();
    return kube.clusters().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
  }

  @Test
  void rkeUpBringsUpAnApiServerWithNotReadyNodesAndWritesAPrivateKubeconfig() throws Exception {
    Path file = clusterYml("east", "127.20.0.1", "none");

    Process first = rke(file);
    String output = new String(first.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(first.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(first.exitValue()).as(output).isZero();
    Path kubeconfig = file.resolveSibling("kube_config_cluster.yml");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(kubeconfig)))
        .isEqualTo("rw-------");
    try (KubernetesClient client =
        new KubernetesClientBuilder()
            .withConfig(Config.fromKubeconfig(Files.readString(kubeconfig)))
            .build()) {
      List<Node> nodes = client.nodes().list().getItems();
      assertThat(nodes)
          .extracting(n -> n.getMetadata().getName())
          .containsExactlyInAnyOrder("east-node-0", "east-node-1");
      assertThat(nodes)
          .allSatisfy(
              n -> assertThat(n.getStatus().getConditions().get(0).getStatus()).isEqualTo("False"));
    }

    Process again = rke(file);
    assertThat(again.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(again.exitValue()).isZero();
    assertThat(kube.clusters()).hasSize(1);
  }

  @Test
  void rkeUpRefusesAClusterFileRkeWouldRefuse() throws Exception {
    Path file = clusterYml("west", "127.20.1.1", "canal");

    Process p = rke(file);
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(1);
    assertThat(output).contains("FATA[0000]", "network.plugin");
    assertThat(kube.clusters()).isEmpty();
  }

  @Test
  void kubeletMakesCiliumReadyAndNodesFollow() throws Exception {
    SandboxCluster east = up("east", "127.20.2.1");
    KubernetesClient c = east.client();

    installCilium(c, "east", "ca-1");

    await()
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(
            () -> {
              assertThat(
                      c.apps()
                          .daemonSets()
                          .inNamespace("kube-system")
                          .withName("cilium")
                          .get()
                          .getStatus())
                  .isNotNull()
                  .satisfies(s -> assertThat(s.getNumberReady()).isEqualTo(2));
              assertThat(
                      c.pods()
                          .inNamespace("kube-system")
                          .withLabel("k8s-app", "cilium")
                          .list()
                          .getItems())
                  .hasSize(2);
              assertThat(c.nodes().list().getItems())
                  .allSatisfy(
                      n ->
                          assertThat(n.getStatus().getConditions().get(0).getStatus())
                              .isEqualTo("True"));
            });
  }

  @Test
  void metalLbGivesLoadBalancersAnAddressFromThePoolOnceConfigured() throws Exception {
    SandboxCluster east = up("east", "127.20.3.1");
    KubernetesClient c = east.client();
    c.services().inNamespace("kube-system").resource(lbService()).create();

    installMetalLb(c, "192.168.50.10-192.168.50.12");

    await()
        .atMost(Duration.ofSeconds(15))
        .ignoreExceptions()
        .untilAsserted(
            () ->
                assertThat(
                        c.services()
                            .inNamespace("kube-system")
                            .withName("clustermesh-apiserver")
                            .get()
                            .getStatus()
                            .getLoadBalancer()
                            .getIngress())
                    .singleElement()
                    .satisfies(i -> assertThat(i.getIp()).isEqualTo("192.168.50.10")));
  }

  @Test
  void agentsOfConnectedClustersSeeEachOthersNodesOnlyWithTheSameCa() throws Exception {
    SandboxCluster east = up("east", "127.20.4.1");
    SandboxCluster west = up("west", "127.20.5.1");
    installCilium(east.client(), "east", "ca-1");
    installCilium(west.client(), "west", "ca-2");
    installMetalLb(east.client(), "192.168.50.10-192.168.50.12");
    installMetalLb(west.client(), "192.168.51.10-192.168.51.12");
    east.client().services().inNamespace("kube-system").resource(lbService()).create();
    west.client().services().inNamespace("kube-system").resource(lbService()).create();
    await()
        .atMost(Duration.ofSeconds(15))
        .until(
            () ->
                west.client()
                        .services()
                        .inNamespace("kube-system")
                        .withName("clustermesh-apiserver")
                        .get()
                        .getStatus()
                        .getLoadBalancer()
                        .getIngress()
                        .size()
                    == 1);
    connect(east.client(), "west", "192.168.51.10");

    JsonNode mismatched = JSON.readTree(exec(east.client(), "status", "-o", "json"));
    assertThat(mismatched.at("/cluster-mesh/clusters/0/ready").asBoolean()).isFalse();
    assertThat(mismatched.at("/cluster-mesh/clusters/0/last-failure").asString()).contains("x509");

    west.client()
        .secrets()
        .inNamespace("kube-system")
        .withName("cilium-ca")
        .edit(
            s -> {
              s.setData(Map.of("ca.crt", b64("ca-1"), "ca.key", b64("ca-1")));
              return s;
            });
    JsonNode nodes = JSON.readTree(exec(east.client(), "node", "list", "-o", "json"));
    assertThat(nodes.valueStream().map(n -> n.get("name").asString()).toList())
        .containsExactlyInAnyOrder(
            "east/east-node-0", "east/east-node-1", "west/west-node-0", "west/west-node-1");
    assertThat(
            JSON.readTree(exec(east.client(), "status", "-o", "json"))
                .at("/cluster-mesh/clusters/0/ready")
                .asBoolean())
        .isTrue();
  }

  private static String exec(KubernetesClient c, String... args) throws Exception {
    Pod pod =
        await()
            .atMost(Duration.ofSeconds(15))
            .until(
                () ->
                    c.pods()
                        .inNamespace("kube-system")
                        .withLabel("k8s-app", "cilium")
                        .list()
                        .getItems(),
                l -> !l.isEmpty())
            .get(0);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    String[] command = new String[args.length + 1];
    command[0] = "cilium-dbg";
    System.arraycopy(args, 0, command, 1, args.length);
    try (ExecWatch watch =
        c.pods()
            .inNamespace("kube-system")
            .withName(pod.getMetadata().getName())
            .writingOutput(out)
            .exec(command)) {
      assertThat(watch.exitCode().get(20, TimeUnit.SECONDS)).isZero();
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  private static void installCilium(KubernetesClient c, String name, String ca) {
    c.configMaps()
        .inNamespace("kube-system")
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName("cilium-config")
                .endMetadata()
                .withData(Map.of("cluster-name", name, "cluster-id", "1"))
                .build())
        .create();
    c.secrets()
        .inNamespace("kube-system")
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("cilium-ca")
                .endMetadata()
                .withData(Map.of("ca.crt", b64(ca), "ca.key", b64(ca)))
                .build())
        .create();
    c.apps()
        .daemonSets()
        .inNamespace("kube-system")
        .resource(
            new DaemonSetBuilder()
                .withNewMetadata()
                .withName("cilium")
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
                .withImage("quay.io/cilium/cilium:v1.18.2")
                .endContainer()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build())
        .create();
    c.apps()
        .deployments()
        .inNamespace("kube-system")
        .resource(
            new DeploymentBuilder()
                .withNewMetadata()
                .withName("clustermesh-apiserver")
                .endMetadata()
                .withNewSpec()
                .withReplicas(1)
                .withNewSelector()
                .addToMatchLabels("k8s-app", "clustermesh-apiserver")
                .endSelector()
                .withNewTemplate()
                .withNewMetadata()
                .addToLabels("k8s-app", "clustermesh-apiserver")
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("apiserver")
                .withImage("quay.io/cilium/clustermesh-apiserver:v1.18.2")
                .endContainer()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build())
        .create();
  }

  private static void installMetalLb(KubernetesClient c, String pool) {
    c.namespaces()
        .resource(
            new NamespaceBuilder()
                .withNewMetadata()
                .withName("metallb-system")
                .endMetadata()
                .build())
        .create();
    for (String kind : List.of("IPAddressPool", "L2Advertisement")) {
      String plural = kind.toLowerCase() + (kind.endsWith("s") ? "es" : "s");
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
                  .withName("v1beta1")
                  .withServed(true)
                  .withStorage(true)
                  .endVersion()
                  .endSpec()
                  .build())
          .create();
    }
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
                .addToMatchLabels("component", "controller")
                .endSelector()
                .withNewTemplate()
                .withNewMetadata()
                .addToLabels("component", "controller")
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("controller")
                .withImage("quay.io/metallb/controller:v0.14.9")
                .endContainer()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build())
        .create();
    c.genericKubernetesResources("metallb.io/v1beta1", "IPAddressPool")
        .inNamespace("metallb-system")
        .resource(
            new GenericKubernetesResourceBuilder()
                .withApiVersion("metallb.io/v1beta1")
                .withKind("IPAddressPool")
                .withNewMetadata()
                .withName("mesh-pool")
                .withNamespace("metallb-system")
                .endMetadata()
                .addToAdditionalProperties("spec", Map.of("addresses", List.of(pool)))
                .build())
        .create();
    c.genericKubernetesResources("metallb.io/v1beta1", "L2Advertisement")
        .inNamespace("metallb-system")
        .resource(
            new GenericKubernetesResourceBuilder()
                .withApiVersion("metallb.io/v1beta1")
                .withKind("L2Advertisement")
                .withNewMetadata()
                .withName("mesh-l2")
                .withNamespace("metallb-system")
                .endMetadata()
                .addToAdditionalProperties("spec", Map.of())
                .build())
        .create();
  }

  private static io.fabric8.kubernetes.api.model.Service lbService() {
    return new ServiceBuilder()
        .withNewMetadata()
        .withName("clustermesh-apiserver")
        .endMetadata()
        .withNewSpec()
        .withType("LoadBalancer")
        .addToSelector("k8s-app", "clustermesh-apiserver")
        .addNewPort()
        .withName("apiserv")
        .withPort(2379)
        .endPort()
        .endSpec()
        .withNewStatus()
        .withNewLoadBalancer()
        .endLoadBalancer()
        .endStatus()
        .build();
  }

  private static void connect(KubernetesClient c, String remote, String ip) {
    String etcd =
        "endpoints:\n- https://"
            + remote
            + ".mesh.cilium.io:2379\ntrusted-ca-file: /var/lib/cilium/clustermesh/common-etcd-client-ca.crt\n";
    c.secrets()
        .inNamespace("kube-system")
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("cilium-clustermesh")
                .endMetadata()
                .withData(Map.of(remote, b64(etcd)))
                .build())
        .create();
    c.apps()
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
                              .withIp(ip)
                              .withHostnames(remote + ".mesh.cilium.io")
                              .build()));
              return ds;
            });
  }
}
