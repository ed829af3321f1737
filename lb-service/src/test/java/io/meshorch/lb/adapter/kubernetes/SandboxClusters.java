package io.meshorch.lb.adapter.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshorch.kube.KubeApply;
import io.meshorch.sandbox.kube.SandboxCluster;
import io.meshorch.sandbox.kube.SandboxKube;
import io.meshorch.sandbox.kube.rke.RkeStandIn;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One-node clusters of the sandbox's Kubernetes, brought up by its {@code rke} stand-in, and what
 * cni-service leaves in them that lb-service relies on.
 */
public final class SandboxClusters {
  private SandboxClusters() {}

  /** Brings up cluster {@code name} with one node at {@code address}. */
  public static SandboxCluster up(SandboxKube kube, Path dir, String name, String address)
      throws Exception {
    Path clusterDir = Files.createDirectories(dir.resolve(name));
    Path key = Files.writeString(clusterDir.resolve("id_key"), "not read by the sandbox");
    Path yml =
        Files.writeString(
            clusterDir.resolve("cluster.yml"),
            """
            cluster_name: %s
            ssh_key_path: %s
            nodes:
            - {address: %s, user: ubuntu, role: [controlplane, etcd, worker]}
            network: {plugin: none}
            """
                .formatted(name, key, address));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int exit =
        RkeStandIn.run(
            new String[] {"up", "--config", yml.toString()},
            new PrintStream(out, true, StandardCharsets.UTF_8),
            kube.rkeControlUrl().toString());
    assertThat(exit).as(out.toString(StandardCharsets.UTF_8)).isZero();
    return kube.cluster(name).orElseThrow();
  }

  /**
   * Cilium's mesh endpoint Service as cni-service applies it from the chart (field manager {@code
   * meshorch-cni}): what Cilium 1.18.12's chart renders for {@code
   * kube-system/clustermesh-apiserver} with {@code clustermesh.apiserver.service.type=<type>}.
   */
  public static void ciliumAppliesMeshEndpoint(KubernetesClient c, String type) {
    new KubeApply("cni")
        .apply(
            c,
            new ServiceBuilder()
                .withNewMetadata()
                .withName("clustermesh-apiserver")
                .withNamespace("kube-system")
                .addToLabels("k8s-app", "clustermesh-apiserver")
                .addToLabels("app.kubernetes.io/part-of", "cilium")
                .addToLabels("app.kubernetes.io/name", "clustermesh-apiserver")
                .endMetadata()
                .withNewSpec()
                .withType(type)
                .addToSelector("k8s-app", "clustermesh-apiserver")
                .addNewPort()
                .withPort(2379)
                .endPort()
                .withExternalTrafficPolicy("Cluster")
                .withInternalTrafficPolicy("Cluster")
                .endSpec()
                .build());
  }
}
