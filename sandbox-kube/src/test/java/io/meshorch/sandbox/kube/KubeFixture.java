package io.meshorch.sandbox.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.HostAlias;
import io.fabric8.kubernetes.api.model.HostAliasBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.ExecWatch;
import io.meshorch.sandbox.kube.rke.RkeStandIn;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Builds what the product's services create on a sandbox cluster, the way they create it. */
final class KubeFixture {
  static final String KS = "kube-system";

  private KubeFixture() {}

  /** What an exec printed and how it ended. */
  record Exec(String stdout, int exitCode) {}

  /** A valid cluster.yml with two nodes (the second only a worker) in {@code dir/name}. */
  static Path clusterYml(Path dir, String name, String first, String services) throws Exception {
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
        - {address: %3$s, internal_address: %4$s, user: ubuntu, role: [controlplane, etcd, worker], hostname_override: %1$s-node-0}
        - {address: %5$s, user: ubuntu, role: [worker]}
        %6$s
        """
            .formatted(
                name,
                key,
                first,
                first.replaceAll("\\.\\d+$", ".11"),
                first.replaceAll("\\.\\d+$", ".99"),
                services));
    return file;
  }

  static String validServices() {
    return """
        network: {plugin: none}
        services:
          kube-api: {service_cluster_ip_range: 10.201.0.0/16}
          kube-controller: {cluster_cidr: 10.101.0.0/16, service_cluster_ip_range: 10.201.0.0/16}
          kubelet: {cluster_dns_server: 10.201.0.10}
        """;
  }

  /** Runs {@code rke up} in this JVM and returns the new cluster. */
  static SandboxCluster up(SandboxKube kube, Path dir, String name, String first) throws Exception {
    Path file = clusterYml(dir, name, first, validServices());
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    int code =
        RkeStandIn.run(
            new String[] {"up", "--config", file.toString()},
            new PrintStream(log, true, StandardCharsets.UTF_8),
            kube.rkeControlUrl().toString());
    assertThat(code).as(log.toString(StandardCharsets.UTF_8)).isZero();
    return kube.cluster(name).orElseThrow();
  }

  static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  /** What cni-service installs: cilium-config, the mesh CA, the agents and the mesh apiserver. */
  static void installCilium(KubernetesClient c, String name, String ca) {
    c.configMaps()
        .inNamespace(KS)
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName("cilium-config")
                .endMetadata()
                .withData(Map.of("cluster-name", name, "cluster-id", "1"))
                .build())
        .create();
    c.secrets()
        .inNamespace(KS)
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
        .inNamespace(KS)
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
    deployment(c, KS, "clustermesh-apiserver", "k8s-app", "clustermesh-apiserver");
  }

  static void deployment(KubernetesClient c, String ns, String name, String label, String value) {
    c.apps()
        .deployments()
        .inNamespace(ns)
        .resource(
            new DeploymentBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .withNewSpec()
                .withReplicas(1)
                .withNewSelector()
                .addToMatchLabels(label, value)
                .endSelector()
                .withNewTemplate()
                .withNewMetadata()
                .addToLabels(label, value)
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName(name)
                .withImage("example/" + name + ":1")
                .endContainer()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build())
        .create();
  }

  /** What lb-service installs: namespace, CRDs, controller, then the pool and advertisement. */
  static void installMetalLb(KubernetesClient c, String pool, boolean advertise) {
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
    deployment(c, "metallb-system", "controller", "app.kubernetes.io/component", "controller");
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
    if (advertise) {
      advertise(c);
    }
  }

  static void advertise(KubernetesClient c) {
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
                .addToAdditionalProperties("spec", Map.of("ipAddressPools", List.of("mesh-pool")))
                .build())
        .create();
  }

  /** The mesh endpoint as lb-service creates it: no status block at all. */
  static Service meshService(String requestedIp) {
    ServiceBuilder b =
        new ServiceBuilder()
            .withNewMetadata()
            .withName("clustermesh-apiserver")
            .withNamespace(KS)
            .endMetadata()
            .withNewSpec()
            .withType("LoadBalancer")
            .addToSelector("k8s-app", "clustermesh-apiserver")
            .addNewPort()
            .withName("apiserv")
            .withPort(2379)
            .endPort()
            .endSpec();
    if (requestedIp != null) {
      b.editMetadata().addToAnnotations("metallb.io/loadBalancerIPs", requestedIp).endMetadata();
    }
    return b.build();
  }

  static String ingressIp(KubernetesClient c, String name) {
    Service s = c.services().inNamespace(KS).withName(name).get();
    return MetalLbController.ingressIp(s).orElse(null);
  }

  static String awaitIngressIp(KubernetesClient c, String name) {
    return await().atMost(Duration.ofSeconds(15)).until(() -> ingressIp(c, name), ip -> ip != null);
  }

  /**
   * mesh-service's connect: the clustermesh secret (stringData) plus host aliases on agents; then
   * waits until the agent pods carry the alias (the DaemonSet rolled out), as mesh-service's
   * validation waits for agents that resolve the remote.
   */
  static void connect(KubernetesClient c, String remote, String ip, boolean asStringData) {
    String etcd =
        "endpoints:\n- https://"
            + remote
            + ".mesh.cilium.io:2379\ntrusted-ca-file: /var/lib/cilium/clustermesh/common-etcd-client-ca.crt\n";
    c.secrets()
        .inNamespace(KS)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("cilium-clustermesh")
                .endMetadata()
                .withStringData(asStringData ? Map.of(remote, etcd) : null)
                .withData(asStringData ? null : Map.of(remote, b64(etcd)))
                .build())
        .create();
    c.apps()
        .daemonSets()
        .inNamespace(KS)
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
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> {
              List<Pod> agents =
                  c.pods().inNamespace(KS).withLabel("k8s-app", "cilium").list().getItems();
              return !agents.isEmpty()
                  && agents.stream()
                      .allMatch(
                          p ->
                              p.getSpec().getHostAliases() != null
                                  && p.getSpec().getHostAliases().stream()
                                      .anyMatch(a -> ip.equals(a.getIp())));
            });
  }

  /**
   * mesh-service's connect with KVStoreMesh on, as the Cilium chart renders {@code
   * clustermesh.config.clusters}: the agents' secret points at the local clustermesh-apiserver,
   * {@code cilium-kvstoremesh} at the remote, and the host alias goes on the clustermesh-apiserver
   * (when {@code onApiserver}) or, wrongly, on the agents; then waits for the pods to carry it.
   */
  static void connectViaKvstoreMesh(
      KubernetesClient c, String remote, String ip, boolean onApiserver) {
    String files =
        "\ntrusted-ca-file: /var/lib/cilium/clustermesh/%1$setcd-client-ca.crt"
            + "\nkey-file: /var/lib/cilium/clustermesh/%1$setcd-client.key"
            + "\ncert-file: /var/lib/cilium/clustermesh/%1$setcd-client.crt";
    String agents =
        "endpoints:\n- https://clustermesh-apiserver.kube-system.svc:2379"
            + files.formatted("local-");
    String kvstoremesh =
        "endpoints:\n- https://" + remote + ".mesh.cilium.io:2379" + files.formatted("common-");
    for (var entry :
        Map.of("cilium-clustermesh", agents, "cilium-kvstoremesh", kvstoremesh).entrySet()) {
      c.secrets()
          .inNamespace(KS)
          .resource(
              new SecretBuilder()
                  .withNewMetadata()
                  .withName(entry.getKey())
                  .endMetadata()
                  .withData(Map.of(remote, b64(entry.getValue())))
                  .build())
          .create();
    }
    List<HostAlias> aliases =
        List.of(
            new HostAliasBuilder().withIp(ip).withHostnames(remote + ".mesh.cilium.io").build());
    String app;
    if (onApiserver) {
      app = "clustermesh-apiserver";
      c.apps()
          .deployments()
          .inNamespace(KS)
          .withName(app)
          .edit(
              d -> {
                d.getSpec().getTemplate().getSpec().setHostAliases(aliases);
                return d;
              });
    } else {
      app = "cilium";
      c.apps()
          .daemonSets()
          .inNamespace(KS)
          .withName(app)
          .edit(
              ds -> {
                ds.getSpec().getTemplate().getSpec().setHostAliases(aliases);
                return ds;
              });
    }
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> {
              List<Pod> pods = c.pods().inNamespace(KS).withLabel("k8s-app", app).list().getItems();
              return !pods.isEmpty()
                  && pods.stream()
                      .allMatch(
                          p ->
                              p.getSpec().getHostAliases() != null
                                  && p.getSpec().getHostAliases().stream()
                                      .anyMatch(a -> ip.equals(a.getIp())));
            });
  }

  /**
   * The product's exec: {@code redirectingOutput()}, read stdout to the end, then the code. Agent
   * pods roll when their host aliases change, so a pod that vanished is looked up again.
   */
  static Exec exec(KubernetesClient c, String... command) {
    return execIn(c, "cilium", command);
  }

  /** {@link #exec} in the first pod labelled {@code k8s-app=<app>}. */
  static Exec execIn(KubernetesClient c, String app, String... command) {
    return await()
        .atMost(Duration.ofSeconds(20))
        .ignoreExceptions()
        .until(() -> execOnce(c, app, command), e -> e != null);
  }

  private static Exec execOnce(KubernetesClient c, String app, String... command) throws Exception {
    Pod pod = c.pods().inNamespace(KS).withLabel("k8s-app", app).list().getItems().get(0);
    try (ExecWatch watch =
        c.pods()
            .inNamespace(KS)
            .withName(pod.getMetadata().getName())
            .redirectingOutput()
            .exec(command)) {
      InputStream out = watch.getOutput();
      ByteArrayOutputStream stdout = new ByteArrayOutputStream();
      try {
        out.transferTo(stdout);
      } catch (IOException e) {
        // fabric8 fails the output stream once the status says "non-zero exit code".
      }
      return new Exec(
          stdout.toString(StandardCharsets.UTF_8), watch.exitCode().get(20, TimeUnit.SECONDS));
    }
  }
}
