package io.meshorch.lb.adapter.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshorch.sandbox.kube.SandboxCluster;
import io.meshorch.sandbox.kube.SandboxKube;
import io.meshorch.sandbox.kube.rke.RkeStandIn;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** One-node clusters of the sandbox's Kubernetes, brought up by its {@code rke} stand-in. */
final class SandboxClusters {
  private SandboxClusters() {}

  static SandboxCluster up(SandboxKube kube, Path dir, String name, String address)
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
}
