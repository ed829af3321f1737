package io.meshorch.contracts.validation;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshorch.contracts.ClusterSpec;
import io.meshorch.contracts.MachineSpec;
import io.meshorch.contracts.MeshRequested;
import io.meshorch.contracts.Violation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MeshRequestValidatorTest {
  private static final MachineSpec MACHINE =
      new MachineSpec("ubuntu-22.04", "m1.large", "mesh-net", "mesh", "ubuntu");
  private final MeshRequestValidator validator = new MeshRequestValidator();

  private static ClusterSpec cluster(String name, int id, String pod, String svc, String pool) {
    return new ClusterSpec(name, id, 2, pod, svc, pool, MACHINE);
  }

  private static ClusterSpec east() {
    return cluster("east", 1, "10.101.0.0/16", "10.201.0.0/16", "192.168.50.10-192.168.50.19");
  }

  private static ClusterSpec west() {
    return cluster("west", 2, "10.102.0.0/16", "10.202.0.0/16", "192.168.51.0/28");
  }

  private List<Violation> validate(ClusterSpec... clusters) {
    return validator.validate("demo", new MeshRequested(Arrays.asList(clusters)));
  }

  @Test
  void acceptsAWellFormedMesh() {
    assertThat(validate(east(), west())).isEmpty();
  }

  @ParameterizedTest(name = "cluster name ''{0}'' is rejected")
  @CsvSource({
    "East",
    "-east",
    "east-",
    "e_st",
    "default",
    "abcdefghijabcdefghijabcdefghijabc",
    "''"
  })
  void rejectsClusterNamesCiliumRefuses(String name) {
    ClusterSpec bad =
        new ClusterSpec(name, 1, 1, "10.101.0.0/16", "10.201.0.0/16", "192.168.50.0/28", MACHINE);

    assertThat(validate(bad)).extracting(Violation::field).contains("clusters[0].name");
  }

  @ParameterizedTest(name = "cluster id {0} is rejected")
  @CsvSource({"0", "256", "-1"})
  void rejectsClusterIdsOutsideCiliumsRange(int id) {
    ClusterSpec bad =
        new ClusterSpec(
            "east", id, 1, "10.101.0.0/16", "10.201.0.0/16", "192.168.50.0/28", MACHINE);

    assertThat(validate(bad))
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.field()).isEqualTo("clusters[0].id");
              assertThat(v.rule()).contains("between 1 and 255");
            });
  }

  @ParameterizedTest(name = "{0} = ''{1}'' is rejected")
  @CsvSource({
    "podCidr, 10.101.0.1/16",
    "podCidr, 10.101.0.0/33",
    "podCidr, 300.1.0.0/16",
    "serviceCidr, 10.201.0.0",
    "lbAddressPool, 192.168.50.20-192.168.50.10",
    "lbAddressPool, 192.168.50.10-",
  })
  void rejectsMalformedAddressBlocks(String field, String value) {
    ClusterSpec base = east();
    ClusterSpec bad =
        new ClusterSpec(
            base.name(),
            base.id(),
            base.nodeCount(),
            field.equals("podCidr") ? value : base.podCidr(),
            field.equals("serviceCidr") ? value : base.serviceCidr(),
            field.equals("lbAddressPool") ? value : base.lbAddressPool(),
            MACHINE);

    assertThat(validate(bad))
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.field()).isEqualTo("clusters[0]." + field);
              assertThat(v.rule()).contains(value);
            });
  }

  @Test
  void reportsEveryOverlapAndCollisionAtOnce() {
    ClusterSpec clash =
        cluster("east", 1, "10.101.128.0/17", "10.101.0.0/24", "192.168.50.15-192.168.50.30");

    List<Violation> violations = validate(east(), clash);

    assertThat(violations)
        .extracting(Violation::field)
        .containsExactlyInAnyOrder(
            "clusters[1].name",
            "clusters[1].id",
            "clusters[1].podCidr",
            "clusters[1].serviceCidr",
            "clusters[1].lbAddressPool");
    assertThat(violations)
        .filteredOn(v -> v.field().equals("clusters[1].podCidr"))
        .singleElement()
        .extracting(Violation::rule)
        .asString()
        .contains("clusters[0].podCidr", "10.101.0.0/16");
  }

  @Test
  void namesEveryMissingField() {
    List<ClusterSpec> clusters = new ArrayList<>();
    clusters.add(new ClusterSpec(null, null, null, null, null, null, null));
    clusters.add(null);

    List<Violation> violations = validator.validate(null, new MeshRequested(clusters));

    assertThat(violations)
        .extracting(Violation::field)
        .containsExactlyInAnyOrder(
            "meshId",
            "clusters[0].name",
            "clusters[0].id",
            "clusters[0].nodeCount",
            "clusters[0].podCidr",
            "clusters[0].serviceCidr",
            "clusters[0].lbAddressPool",
            "clusters[0].machine",
            "clusters[1]");
  }

  @Test
  void requiresAtLeastOneClusterAndOneNode() {
    ClusterSpec empty =
        new ClusterSpec("east", 1, 0, "10.101.0.0/16", "10.201.0.0/16", "192.168.50.0/28", MACHINE);

    assertThat(validator.validate("demo", new MeshRequested(List.of())))
        .extracting(Violation::field)
        .containsExactly("clusters");
    assertThat(validate(empty))
        .extracting(Violation::field)
        .containsExactly("clusters[0].nodeCount");
  }

  @Test
  void requiresEveryMachineSetting() {
    ClusterSpec bare =
        new ClusterSpec(
            "east",
            1,
            1,
            "10.101.0.0/16",
            "10.201.0.0/16",
            "192.168.50.0/28",
            new MachineSpec("", null, "net", " ", "ubuntu"));

    assertThat(validate(bare))
        .extracting(Violation::field)
        .containsExactlyInAnyOrder(
            "clusters[0].machine.image",
            "clusters[0].machine.flavor",
            "clusters[0].machine.keyName");
  }
}
