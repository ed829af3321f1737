package io.meshorch.sandbox.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.meshorch.sandbox.kube.rke.RkeStandIn;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RkeStandInIT {
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

  /** Runs the generated {@code rke} script as a process; returns exit code and output. */
  private Run script(String... args) throws Exception {
    Path rke = RkeStandInScript.write(dir.resolve("bin"), kube.rkeControlUrl());
    List<String> command = new java.util.ArrayList<>(List.of(rke.toString()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Run(p.exitValue(), output);
  }

  private Run inProcess(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int code =
        RkeStandIn.run(
            args,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            kube.rkeControlUrl().toString());
    return new Run(code, out.toString(StandardCharsets.UTF_8));
  }

  private record Run(int code, String output) {}

  @Test
  void upWritesPrivateFilesAndAKubeconfigWhoseClientSeesNotReadyNodes() throws Exception {
    Path file = KubeFixture.clusterYml(dir, "east", "127.20.0.1", KubeFixture.validServices());

    Run run = script("up", "--config", file.toString());

    assertThat(run.code()).as(run.output()).isZero();
    assertThat(run.output()).contains("Finished building Kubernetes cluster successfully");
    for (String name : List.of("kube_config_cluster.yml", "cluster.rkestate")) {
      assertThat(
              PosixFilePermissions.toString(
                  Files.getPosixFilePermissions(file.resolveSibling(name))))
          .isEqualTo("rw-------");
    }
    try (KubernetesClient client =
        new KubernetesClientBuilder()
            .withConfig(
                Config.fromKubeconfig(
                    Files.readString(file.resolveSibling("kube_config_cluster.yml"))))
            .build()) {
      List<Node> nodes = client.nodes().list().getItems();
      assertThat(nodes)
          .extracting(n -> n.getMetadata().getName())
          .containsExactlyInAnyOrder("east-node-0", "127.20.0.99");
      Node first =
          nodes.stream()
              .filter(n -> n.getMetadata().getName().equals("east-node-0"))
              .findFirst()
              .orElseThrow();
      assertThat(first.getMetadata().getLabels())
          .containsEntry("node-role.kubernetes.io/controlplane", "true")
          .containsEntry("node-role.kubernetes.io/etcd", "true")
          .containsEntry("node-role.kubernetes.io/worker", "true");
      assertThat(first.getStatus().getAddresses().get(0).getAddress()).isEqualTo("127.20.0.11");
      assertThat(nodes)
          .flatExtracting(n -> n.getStatus().getConditions())
          .extracting(NodeCondition::getStatus, NodeCondition::getReason)
          .containsOnly(org.assertj.core.groups.Tuple.tuple("False", "KubeletNotReady"));
      assertThat(client.namespaces().list().getItems())
          .extracting(n -> n.getMetadata().getName())
          .contains("default", "kube-system", "kube-public");
    }
  }

  @Test
  void upAgainForTheSameNodesKeepsTheSameApiServer() throws Exception {
    Path file = KubeFixture.clusterYml(dir, "east", "127.20.0.1", KubeFixture.validServices());
    assertThat(inProcess("up", "--config=" + file).code()).isZero();
    String first = Files.readString(file.resolveSibling("kube_config_cluster.yml"));

    Run again = inProcess("up", "--config", file.toString());

    assertThat(again.code()).isZero();
    assertThat(kube.clusters()).hasSize(1);
    assertThat(Files.readString(file.resolveSibling("kube_config_cluster.yml")))
        .isEqualTo(first)
        .contains(kube.clusters().get(0).apiServerUrl());
  }

  @Test
  void removeStopsTheClusterAndDeletesItsFiles() throws Exception {
    Path file = KubeFixture.clusterYml(dir, "east", "127.20.0.1", KubeFixture.validServices());
    assertThat(inProcess("up", "--config", file.toString()).code()).isZero();

    Run removed = script("remove", "--config", file.toString(), "--force");

    assertThat(removed.code()).as(removed.output()).isZero();
    assertThat(kube.clusters()).isEmpty();
    assertThat(file.resolveSibling("kube_config_cluster.yml")).doesNotExist();
    assertThat(file.resolveSibling("cluster.rkestate")).doesNotExist();
  }

  @Test
  void versionLooksLikeRke() throws Exception {
    Run run = script("--version");

    assertThat(run.code()).isZero();
    assertThat(run.output()).startsWith("rke version v1.8.");
  }

  @Test
  void scriptRefusesAClusterWithAnotherNetworkPlugin() throws Exception {
    Path file =
        KubeFixture.clusterYml(
            dir,
            "west",
            "127.20.1.1",
            KubeFixture.validServices().replace("plugin: none", "plugin: canal"));

    Run run = script("up", "--config", file.toString());

    assertThat(run.code()).isEqualTo(1);
    assertThat(run.output()).contains("FATA[0000]", "network.plugin [canal]");
    assertThat(kube.clusters()).isEmpty();
    assertThat(file.resolveSibling("kube_config_cluster.yml")).doesNotExist();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "cluster_cidr: 10.101.0.0/16|cluster_cidr: 10.101.0.0/33|services.kube-controller.cluster_cidr",
        "cluster_dns_server: 10.201.0.10|cluster_dns_server: 10.44.0.10|services.kubelet.cluster_dns_server",
        "role: [worker]|role: []|nodes[1].role",
        "kube-controller: {cluster_cidr: 10.101.0.0/16, service_cluster_ip_range: 10.201.0.0/16}"
            + "|kube-controller: {cluster_cidr: 10.101.0.0/16, service_cluster_ip_range: 10.202.0.0/16}"
            + "|services.kube-controller.service_cluster_ip_range",
      })
  void upRefusesWhatRkeRefusesNamingTheField(String from, String to, String field)
      throws Exception {
    Path file = KubeFixture.clusterYml(dir, "west", "127.20.1.1", KubeFixture.validServices());
    Files.writeString(file, Files.readString(file).replace(from, to));

    Run run = inProcess("up", "--config", file.toString());

    assertThat(run.code()).isEqualTo(1);
    assertThat(run.output()).contains("FATA[0000]", field);
    assertThat(kube.clusters()).isEmpty();
  }
}
