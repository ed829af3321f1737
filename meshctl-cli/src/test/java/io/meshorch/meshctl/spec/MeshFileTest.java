package io.meshorch.meshctl.spec;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshorch.contracts.ClusterSpec;
import io.meshorch.contracts.KubernetesSpec;
import io.meshorch.contracts.MachineSpec;
import io.meshorch.contracts.Violation;
import io.meshorch.contracts.validation.MeshRequestValidator;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MeshFileTest {
  private static Path example(String name) {
    return Path.of("..", "examples", name);
  }

  @ParameterizedTest
  @ValueSource(strings = {"two-clusters.yaml", "three-clusters.yaml", "mixed-rke1-rke2.yaml"})
  void shippedExamplesAreValidMeshes(String name) {
    MeshFile.Parsed parsed = MeshFile.read(example(name));

    assertThat(parsed.problems()).isEmpty();
    assertThat(new MeshRequestValidator().validate(parsed.meshId(), parsed.request())).isEmpty();
  }

  @Test
  void theInvalidExampleBreaksEveryRuleItAdvertises() {
    MeshFile.Parsed parsed = MeshFile.read(example("invalid.yaml"));

    List<Violation> violations =
        new MeshRequestValidator().validate(parsed.meshId(), parsed.request());

    assertThat(parsed.problems()).isEmpty();
    assertThat(violations)
        .extracting(Violation::field)
        .contains(
            "clusters[0].name",
            "clusters[0].nodeCount",
            "clusters[1].id",
            "clusters[1].podCidr",
            "clusters[1].serviceCidr",
            "clusters[1].lbAddressPool");
  }

  @Test
  void readsTheOptionalSecurityGroupsOfAMachine(@org.junit.jupiter.api.io.TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("mesh.yaml");
    java.nio.file.Files.writeString(
        file,
        """
        mesh: sg
        defaults:
          machine: {image: i, flavor: f, network: n, keyName: k, sshUser: ubuntu, securityGroups: [mesh-nodes]}
        clusters:
          - {name: east, id: 1, nodeCount: 1, podCidr: 10.101.0.0/16, serviceCidr: 10.201.0.0/16, lbAddressPool: 192.168.50.0/28}
        """);

    MeshFile.Parsed parsed = MeshFile.read(file);

    assertThat(parsed.problems()).isEmpty();
    assertThat(parsed.request().clusters().get(0).machine().securityGroups())
        .containsExactly("mesh-nodes");
  }

  @Test
  void appliesMachineDefaultsUnlessAClusterOverridesThem() {
    MeshFile.Parsed parsed = MeshFile.read(example("three-clusters.yaml"));

    List<ClusterSpec> clusters = parsed.request().clusters();
    assertThat(parsed.meshId()).isEqualTo("trio");
    assertThat(clusters).extracting(ClusterSpec::name).containsExactly("east", "west", "north");
    assertThat(clusters.get(0).machine())
        .isEqualTo(new MachineSpec("ubuntu-22.04", "m1.large", "mesh-net", "mesh", "ubuntu"));
    assertThat(clusters.get(2).machine().flavor()).isEqualTo("m1.xlarge");
    assertThat(clusters.get(2).machine().image()).isEqualTo("ubuntu-22.04");
  }

  @Test
  void readsEachClustersKubernetesAndTheMeshDefault() {
    MeshFile.Parsed parsed = MeshFile.read(example("mixed-rke1-rke2.yaml"));

    assertThat(parsed.problems()).isEmpty();
    assertThat(parsed.request().kubernetes()).isEqualTo(new KubernetesSpec("rke2", null));
    assertThat(parsed.request().clusters())
        .extracting(ClusterSpec::kubernetes)
        .containsExactly(
            new KubernetesSpec("rke1", null), new KubernetesSpec("rke2", "v1.30.4+rke2r1"));
  }

  @Test
  void namesUnknownKubernetesKeys() {
    MeshFile.Parsed parsed =
        MeshFile.parse(
            """
            mesh: demo
            defaults:
              kubernetes: {distro: rke2}
            clusters:
              - {name: east, kubernetes: {distribution: rke2, channel: stable}}
            """);

    assertThat(parsed.problems())
        .extracting(Violation::field)
        .containsExactlyInAnyOrder("defaults.kubernetes.distro", "clusters[0].kubernetes.channel");
  }

  @Test
  void namesUnknownKeysAndWrongTypes() {
    MeshFile.Parsed parsed =
        MeshFile.parse(
            """
            mesh: demo
            colour: blue
            clusters:
              - name: east
                id: one
                nodes: 3
            """);

    assertThat(parsed.problems())
        .extracting(Violation::field)
        .containsExactlyInAnyOrder("colour", "clusters[0].id", "clusters[0].nodes");
    assertThat(parsed.problems())
        .filteredOn(v -> v.field().equals("clusters[0].nodes"))
        .singleElement()
        .extracting(Violation::rule)
        .asString()
        .contains("nodeCount");
  }

  @Test
  void reportsBrokenYamlAsOneProblem() {
    MeshFile.Parsed parsed = MeshFile.parse("mesh: [unclosed");

    assertThat(parsed.problems()).singleElement().extracting(Violation::field).isEqualTo("file");
  }
}
