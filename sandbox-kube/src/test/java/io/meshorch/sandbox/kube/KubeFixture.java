package io.meshorch.sandbox.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.HostAliasBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.ExecWatch;
import io.meshorch.sandbox.kube.rke.RkeStandIn;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
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

  /**
   * Cilium as its official chart renders it (1.18.12, rendered by the test, {@link CiliumRender}
   * gives the values): RBAC, agents, operator, envoy, clustermesh-apiserver and its TLS secrets,
   * issued from CA {@code ca} ({@code ca-1} or {@code ca-2}, two different CAs made by the test);
   * {@code cilium-config} names the cluster.
   */
  static void installCilium(KubernetesClient c, String name, String ca) {
    for (HasMetadata o : cilium(c, ca)) {
      if (o instanceof ConfigMap cm && cm.getMetadata().getName().equals("cilium-config")) {
        cm.getData().put("cluster-name", name);
      }
      c.resource(o).create();
    }
  }

  /**
   * The objects of Cilium's official chart rendered with CA {@code ca} ({@code ca-1}, {@code
   * ca-2}), fresh objects on every call.
   */
  static List<HasMetadata> cilium(KubernetesClient c, String ca) {
    return load(c, CiliumRender.yaml(ca.replace("-", "")));
  }

  /**
   * Creates {@code objects} except those {@code skip} names ({@code Kind/name}), as a user who
   * forgot them would.
   */
  static void installExcept(KubernetesClient c, List<HasMetadata> objects, String... skip) {
    List<String> skipped = List.of(skip);
    for (HasMetadata o : objects) {
      if (!skipped.contains(o.getKind() + "/" + o.getMetadata().getName())) {
        c.resource(o).create();
      }
    }
  }

  /** The object {@code Kind/name} of {@code objects}. */
  static HasMetadata object(List<HasMetadata> objects, String kindAndName) {
    return objects.stream()
        .filter(o -> (o.getKind() + "/" + o.getMetadata().getName()).equals(kindAndName))
        .findFirst()
        .orElseThrow();
  }

  /**
   * Secret {@code name} as the chart renders it with CA {@code ca} ({@code ca-1}, {@code ca-2}).
   */
  static Secret ciliumSecret(KubernetesClient c, String ca, String name) {
    return cilium(c, ca).stream()
        .filter(o -> o instanceof Secret && o.getMetadata().getName().equals(name))
        .map(Secret.class::cast)
        .findFirst()
        .orElseThrow();
  }

  /** The objects of a file under {@code src/test/resources/upstream}. */
  static List<HasMetadata> upstream(KubernetesClient c, String file) {
    try (InputStream in = KubeFixture.class.getResourceAsStream("/upstream/" + file)) {
      if (in == null) {
        throw new IllegalArgumentException("no upstream/" + file);
      }
      return c.load(in).items();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<HasMetadata> load(KubernetesClient c, String yaml) {
    return c.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))).items();
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

  /**
   * MetalLB as its official manifests install it (v0.15.3 {@code metallb-native.yaml}: namespace,
   * CRDs, RBAC, webhook, controller, speaker; the controller creates the {@code memberlist} secret
   * the speakers mount once it runs), then the pool and (if {@code advertise}) the advertisement.
   * The pool's webhook refuses its creation (HTTP 500) until the controller serves it: fabric8's
   * own retries of a 5xx carry the create over that, as they do for lb-service.
   */
  static void installMetalLb(KubernetesClient c, String pool, boolean advertise) {
    for (HasMetadata o : upstream(c, "metallb-native-v0.15.3.yaml")) {
      c.resource(o).create();
    }
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

  /** The mesh endpoint Service, type LoadBalancer, as first stored: no status block at all. */
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
            + ".mesh.cilium.io:2379\n"
            + "trusted-ca-file: /var/lib/cilium/clustermesh/common-etcd-client-ca.crt\n"
            + "key-file: /var/lib/cilium/clustermesh/common-etcd-client.key\n"
            + "cert-file: /var/lib/cilium/clustermesh/common-etcd-client.crt\n";
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
    retryOnConflict(
        () ->
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
                    }));
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
   * Connecting as the chart renders {@code clustermesh.config.clusters} with KVStoreMesh on (its
   * default): agents read the local clustermesh-apiserver ({@code cilium-clustermesh}), whose
   * kvstoremesh dials the remote ({@code cilium-kvstoremesh}, host aliases on its pods); then waits
   * until a clustermesh-apiserver pod carries the alias and runs.
   */
  static void connectThroughKvstoremesh(KubernetesClient c, String remote, String ip) {
    String dir = "/var/lib/cilium/clustermesh/";
    String agents =
        "endpoints:\n- https://clustermesh-apiserver.kube-system.svc:2379\n"
            + "trusted-ca-file: "
            + dir
            + "local-etcd-client-ca.crt\nkey-file: "
            + dir
            + "local-etcd-client.key\ncert-file: "
            + dir
            + "local-etcd-client.crt";
    String kvstoremesh =
        "endpoints:\n- https://"
            + remote
            + ".mesh.cilium.io:2379\ntrusted-ca-file: "
            + dir
            + "common-etcd-client-ca.crt\nkey-file: "
            + dir
            + "common-etcd-client.key\ncert-file: "
            + dir
            + "common-etcd-client.crt";
    for (Map.Entry<String, String> secret :
        Map.of("cilium-clustermesh", agents, "cilium-kvstoremesh", kvstoremesh).entrySet()) {
      c.secrets()
          .inNamespace(KS)
          .resource(
              new SecretBuilder()
                  .withNewMetadata()
                  .withName(secret.getKey())
                  .endMetadata()
                  .withData(Map.of(remote, b64(secret.getValue())))
                  .build())
          .create();
    }
    retryOnConflict(
        () ->
            c.apps()
                .deployments()
                .inNamespace(KS)
                .withName("clustermesh-apiserver")
                .edit(
                    d -> {
                      d.getSpec()
                          .getTemplate()
                          .getSpec()
                          .setHostAliases(
                              List.of(
                                  new HostAliasBuilder()
                                      .withIp(ip)
                                      .withHostnames(remote + ".mesh.cilium.io")
                                      .build()));
                      return d;
                    }));
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                c
                    .pods()
                    .inNamespace(KS)
                    .withLabel("k8s-app", "clustermesh-apiserver")
                    .list()
                    .getItems()
                    .stream()
                    .anyMatch(
                        p ->
                            p.getSpec().getHostAliases() != null
                                && !p.getSpec().getHostAliases().isEmpty()
                                && p.getStatus().getConditions().stream()
                                    .anyMatch(
                                        x ->
                                            "Ready".equals(x.getType())
                                                && "True".equals(x.getStatus()))));
  }

  /**
   * Runs {@code edit} again while the API server answers 409 (the sandbox's controllers write the
   * same object's status meanwhile), as a client does; bounded.
   */
  static void retryOnConflict(Runnable edit) {
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              try {
                edit.run();
                return true;
              } catch (KubernetesClientException e) {
                if (e.getCode() != 409) {
                  throw e;
                }
                return false;
              }
            });
  }

  /**
   * The product's exec: {@code redirectingOutput()}, read stdout to the end, then the code. Agent
   * pods roll when their host aliases change, so a pod that vanished is looked up again.
   */
  static Exec exec(KubernetesClient c, String... command) {
    return await()
        .atMost(Duration.ofSeconds(20))
        .ignoreExceptions()
        .until(() -> execOnce(c, command), e -> e != null);
  }

  private static Exec execOnce(KubernetesClient c, String... command) throws Exception {
    Pod pod = c.pods().inNamespace(KS).withLabel("k8s-app", "cilium").list().getItems().get(0);
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
