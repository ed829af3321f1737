package io.meshorch.contracts.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.meshorch.contracts.ClusterSpec;
import io.meshorch.contracts.EventCodec;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.KubernetesSpec;
import io.meshorch.contracts.MachineSpec;
import io.meshorch.contracts.MeshReady;
import io.meshorch.contracts.MeshRejected;
import io.meshorch.contracts.MeshRequested;
import io.meshorch.contracts.Violation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

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

  private static ClusterSpec eastOn(KubernetesSpec kubernetes) {
    ClusterSpec e = east();
    return new ClusterSpec(
        e.name(),
        e.id(),
        e.nodeCount(),
        e.podCidr(),
        e.serviceCidr(),
        e.lbAddressPool(),
        e.machine(),
        kubernetes);
  }

  @ParameterizedTest(name = "{0} {1} is accepted")
  @CsvSource(
      value = {"rke1, v1.28.15-rancher1-1", "rke1, NULL", "rke2, v1.30.4+rke2r1", "rke2, NULL"},
      nullValues = "NULL")
  void acceptsEachDistributionWithAVersionOfItsFormOrNone(String distribution, String version) {
    KubernetesSpec k = new KubernetesSpec(distribution, version);
    assertThat(validate(eastOn(k), west())).isEmpty();
    assertThat(validator.validate("demo", new MeshRequested(List.of(east(), west()), k))).isEmpty();
  }

  @ParameterizedTest(name = "{0} {1} is rejected at {2}")
  @CsvSource(
      delimiter = '|',
      nullValues = "NULL",
      value = {
        "k3s | NULL | clusters[0].kubernetes.distribution | must be rke1 or rke2, found 'k3s'",
        "NULL | v1.30.4+rke2r1 | clusters[0].kubernetes.distribution | must be rke1 or rke2",
        "rke2 | v1.28.15-rancher1-1 | clusters[0].kubernetes.version | must be a rke2 release like"
            + " v1.30.4+rke2r1",
        "rke1 | v1.30.4+rke2r1 | clusters[0].kubernetes.version | must be a rke1 release like"
            + " v1.28.15-rancher1-1",
        "rke2 | 1.30.4 | clusters[0].kubernetes.version | found '1.30.4'"
      })
  void namesTheFieldAndTheRuleOfAnUnusableKubernetesChoice(
      String distribution, String version, String field, String rule) {
    List<Violation> violations = validate(eastOn(new KubernetesSpec(distribution, version)));

    assertThat(violations).hasSize(1);
    assertThat(violations.get(0).field()).isEqualTo(field);
    assertThat(violations.get(0).rule()).contains(rule);
  }

  @Test
  void checksTheMeshWideKubernetesDefaultToo() {
    List<Violation> violations =
        validator.validate(
            "demo", new MeshRequested(List.of(east()), new KubernetesSpec("rke3", null)));

    assertThat(violations).extracting(Violation::field).containsExactly("kubernetes.distribution");
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

  private static ClusterSpec withMachine(MachineSpec machine) {
    return new ClusterSpec(
        "east", 1, 1, "10.101.0.0/16", "10.201.0.0/16", "192.168.50.0/28", machine);
  }

  @ParameterizedTest(name = "sshUser ''{0}'' is not a POSIX user name")
  @ValueSource(
      strings = {
        "ubuntu; touch /tmp/pwned",
        "root\nruncmd: [reboot]",
        "Ubuntu",
        "-ubuntu",
        "1ubuntu",
        "ubu ntu",
        "ubuntu$(id)",
        "'ubuntu'",
        "abcdefghijabcdefghijabcdefghijabc"
      })
  void rejectsAnSshUserThatIsNotAPosixUserName(String user) {
    List<Violation> found =
        validate(withMachine(new MachineSpec("img", "flv", "net", "key", user)));

    assertThat(found).extracting(Violation::field).containsExactly("clusters[0].machine.sshUser");
    assertThat(found.get(0).rule()).contains("must be a POSIX user name");
    assertThat(found.get(0).rule()).doesNotContain("\n");
  }

  @ParameterizedTest(name = "sshUser ''{0}'' is accepted")
  @CsvSource({
    "ubuntu",
    "centos",
    "_svc",
    "core-user",
    "debian_12",
    "abcdefghijabcdefghijabcdefghijab"
  })
  void acceptsPosixUserNames(String user) {
    assertThat(validate(withMachine(new MachineSpec("img", "flv", "net", "key", user)))).isEmpty();
  }

  @ParameterizedTest(name = "machine.{0} with a control character is rejected")
  @CsvSource({"image", "flavor", "network", "keyName"})
  void rejectsControlCharactersInOpenstackNames(String field) {
    String bad = "ubuntu-22.04\"\n  evil: true";
    MachineSpec machine =
        new MachineSpec(
            field.equals("image") ? bad : "img",
            field.equals("flavor") ? bad : "flv",
            field.equals("network") ? bad : "net",
            field.equals("keyName") ? bad : "key",
            "ubuntu");

    List<Violation> found = validate(withMachine(machine));

    assertThat(found).extracting(Violation::field).containsExactly("clusters[0].machine." + field);
    assertThat(found.get(0).rule())
        .startsWith("must not contain control characters")
        .contains("\\u000a")
        .doesNotContain("\n");
  }

  @ParameterizedTest(name = "machine.{0} longer than 255 characters is rejected")
  @CsvSource({"image", "flavor", "network", "keyName"})
  void rejectsOpenstackNamesLongerThanTheApisAllow(String field) {
    String longName = "x".repeat(256);
    MachineSpec machine =
        new MachineSpec(
            field.equals("image") ? longName : "img",
            field.equals("flavor") ? longName : "flv",
            field.equals("network") ? longName : "net",
            field.equals("keyName") ? longName : "key",
            "ubuntu");

    List<Violation> found = validate(withMachine(machine));

    assertThat(found).extracting(Violation::field).containsExactly("clusters[0].machine." + field);
    assertThat(found.get(0).rule())
        .isEqualTo(
            "must be at most 255 characters (the OpenStack APIs' limit), found 256 characters");
  }

  @Test
  void acceptsQuotesAndSpacesInNamesTheApisAllowButNot256Characters() {
    MachineSpec machine =
        new MachineSpec("Ubuntu 22.04 \"jammy\"", "m1.large", "x".repeat(255), "my key", "ubuntu");

    assertThat(validate(withMachine(machine))).isEmpty();
  }

  @Test
  void checksEachNamedSecurityGroup() {
    MachineSpec machine =
        new MachineSpec(
            "img", "flv", "net", "key", "ubuntu", Arrays.asList("mesh-nodes", "bad\tname", ""));

    assertThat(validate(withMachine(machine)))
        .extracting(Violation::field, Violation::rule)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                "clusters[0].machine.securityGroups[1]",
                "must not contain control characters, found 'bad\\u0009name'"),
            org.assertj.core.groups.Tuple.tuple(
                "clusters[0].machine.securityGroups[2]", "is required"));
  }

  private static final EventCodec CODEC = new EventCodec();

  /** The MeshRejected infra-service would publish for these violations, as bytes on the wire. */
  private static int rejectionBytes(List<Violation> violations) {
    return CODEC.encode(
            EventEnvelope.create(
                "demo", null, UUID.randomUUID(), "infra-service", new MeshRejected(violations)))
        .length;
  }

  /** {@code n} copies of the same cluster: every name, ID, CIDR and pool collides. */
  private static List<ClusterSpec> copiesOfEast(int n) {
    return Collections.nCopies(n, east());
  }

  @Test
  void aMeshOverTheClusterLimitGetsOnlyTheLimitViolationsInARejectionOfAFewBytes() {
    List<ClusterSpec> clusters = new ArrayList<>(copiesOfEast(300));
    clusters.set(7, cluster("Bad_Name", 0, "x", "y", "z"));

    List<Violation> violations = validator.validate("demo", new MeshRequested(clusters));

    assertThat(violations.get(0).field()).isEqualTo("clusters");
    assertThat(violations.get(0).rule())
        .contains("at most " + MeshRequestValidator.MAX_CLUSTERS_PER_MESH + " clusters", "300");
    assertThat(violations)
        .extracting(Violation::field)
        .containsExactly("clusters", "clusters[*].nodeCount");
    assertThat(violations.get(1).rule())
        .contains("at most " + MeshRequestValidator.MAX_NODES_PER_MESH + " nodes", "found 600");
    assertThat(rejectionBytes(violations)).isLessThan(2 * 1024);
  }

  @Test
  void aMeshOfManyClustersThatAllCollideGetsOneViolationPerRuleAndField() {
    int n = MeshRequestValidator.MAX_CLUSTERS_PER_MESH;
    int overlapsPerField = n * (n - 1) / 2;

    List<Violation> violations = validator.validate("demo", new MeshRequested(copiesOfEast(n)));

    assertThat(violations)
        .hasSizeLessThanOrEqualTo(MeshRequestValidator.MAX_VIOLATIONS)
        .extracting(Violation::field)
        .containsExactly(
            "clusters[*].name",
            "clusters[*].id",
            "clusters[*].podCidr",
            "clusters[*].serviceCidr",
            "clusters[*].lbAddressPool");
    assertThat(violations.get(0).rule())
        .isEqualTo(
            "must be unique in the mesh: "
                + (n - 1)
                + " duplicates, e.g. clusters[1].name 'east' is already used by clusters[0];"
                + " clusters[2].name 'east' is already used by clusters[0];"
                + " clusters[3].name 'east' is already used by clusters[0]");
    assertThat(violations.get(2).rule())
        .startsWith(
            "must not overlap another pod CIDR, service CIDR or LB pool of the mesh: "
                + overlapsPerField
                + " overlaps, e.g. clusters[1].podCidr 10.101.0.0/16 overlaps clusters[0].podCidr"
                + " 10.101.0.0/16; ");
    assertThat(violations.get(4).rule())
        .contains(
            "clusters[1].lbAddressPool 192.168.50.10-192.168.50.19 overlaps"
                + " clusters[0].lbAddressPool 192.168.50.10-192.168.50.19");
    assertThat(rejectionBytes(violations)).isLessThan(4 * 1024);
  }

  @Test
  void aRuleBrokenByTwoClustersNamesBothInOneViolation() {
    ClusterSpec north = cluster("North", 3, "10.103.0.0/16", "10.203.0.0/16", "192.168.52.0/28");
    ClusterSpec south = cluster("So_uth", 4, "10.104.0.0/16", "10.204.0.0/16", "192.168.53.0/28");

    assertThat(validate(east(), north, south))
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.field()).isEqualTo("clusters[*].name");
              assertThat(v.rule())
                  .endsWith(": 2 clusters: clusters[1].name 'North'; clusters[2].name 'So_uth'");
            });
  }

  @Test
  void aSingleOverlapNamesBothFieldsAndBothValues() {
    ClusterSpec clash = cluster("west", 2, "10.101.0.0/16", "10.202.0.0/16", "192.168.51.0/28");

    assertThat(validate(east(), clash))
        .containsExactly(
            new Violation(
                "clusters[1].podCidr",
                "must not overlap clusters[0].podCidr (10.101.0.0/16), found '10.101.0.0/16'"));
  }

  @Test
  void aClusterOverTheNodeLimitIsReportedAloneEvenWithOtherProblems() {
    ClusterSpec big =
        new ClusterSpec(
            "Big", 1, 150, "10.101.0.0/16", "10.201.0.0/16", "192.168.50.0/28", MACHINE);

    assertThat(validate(big, west()))
        .containsExactly(
            new Violation(
                "clusters[0].nodeCount",
                "must be at most 100 nodes per cluster (the product limit), found 150"));
  }

  @Test
  void theNodesOfAllClustersMustStayWithinTheMeshLimit() {
    List<ClusterSpec> clusters = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      clusters.add(
          new ClusterSpec(
              "c" + i,
              i,
              MeshRequestValidator.MAX_NODES_PER_CLUSTER,
              "10." + (100 + i) + ".0.0/16",
              "10." + (200 + i) + ".0.0/16",
              "192.168." + (50 + i) + ".0/28",
              MACHINE));
    }

    assertThat(validator.validate("demo", new MeshRequested(clusters)))
        .containsExactly(
            new Violation(
                "clusters[*].nodeCount",
                "must add up to at most 256 nodes per mesh (the product limit), found 300"));
  }

  @Test
  void aRequestOverTheSizeLimitIsMeasuredAsOnTheWireAndNotEchoed() {
    String hugeImage = "i".repeat(MeshRequestValidator.MAX_REQUEST_BYTES);
    ClusterSpec heavy =
        new ClusterSpec(
            "east",
            1,
            1,
            "10.101.0.0/16",
            "10.201.0.0/16",
            "192.168.50.0/28",
            new MachineSpec(hugeImage, "f", "n", "k", "u"));
    MeshRequested request = new MeshRequested(List.of(heavy));

    List<Violation> violations = validator.validate("demo", request);

    assertThat(violations)
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.field()).isEqualTo("request");
              assertThat(v.rule())
                  .contains("at most 262144 bytes of JSON", "found " + CODEC.encodedSize(request))
                  .doesNotContain("iiii");
            });
  }

  @Test
  void echoesOnlyTheStartOfALongValue() {
    ClusterSpec base = east();
    String longCidr = "10.101.0.0/16" + "0".repeat(10_000);
    ClusterSpec bad =
        new ClusterSpec(
            base.name(),
            base.id(),
            base.nodeCount(),
            longCidr,
            base.serviceCidr(),
            base.lbAddressPool(),
            MACHINE);

    assertThat(validate(bad))
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.field()).isEqualTo("clusters[0].podCidr");
              assertThat(v.rule()).contains("'10.101.0.0/16000").hasSizeLessThan(200);
            });
  }

  @Test
  void listsAtMostTheCapAndCountsTheRest() {
    List<Violation> many = new ArrayList<>();
    for (int i = 0; i < 120; i++) {
      many.add(new Violation("f" + i, "rule " + i));
    }

    List<Violation> capped = MeshRequestValidator.capped(many);

    assertThat(capped).hasSize(MeshRequestValidator.MAX_VIOLATIONS);
    assertThat(capped.subList(0, 49)).isEqualTo(many.subList(0, 49));
    assertThat(capped.get(49))
        .isEqualTo(
            new Violation(
                "violations", "... and 71 more not listed: fix the ones above and validate again"));
    assertThat(MeshRequestValidator.capped(many.subList(0, 50))).isEqualTo(many.subList(0, 50));
  }

  @Test
  void answersAnEnormousRequestWithoutPairwiseWork() {
    MeshRequested request = new MeshRequested(copiesOfEast(20_000));

    List<Violation> violations =
        assertTimeoutPreemptively(
            Duration.ofSeconds(10), () -> validator.validate("demo", request));

    assertThat(violations).extracting(Violation::field).contains("clusters").hasSizeLessThan(5);
  }

  @Test
  void theLargestMeshTheLimitsAllowHasAMeshReadyThatFitsAKafkaRecord() {
    int clusters = MeshRequestValidator.MAX_CLUSTERS_PER_MESH;
    int nodesEach = MeshRequestValidator.MAX_NODES_PER_MESH / clusters;
    String meshId = "m".repeat(MeshRequestValidator.MAX_MESH_ID_LENGTH);
    List<String> names = new ArrayList<>();
    Map<String, List<String>> nodesOf = new LinkedHashMap<>();
    for (int c = 0; c < clusters; c++) {
      String name = String.format("%0" + MeshRequestValidator.MAX_CLUSTER_NAME_LENGTH + "d", c);
      names.add(name);
      List<String> nodes = new ArrayList<>();
      for (int i = 0; i < nodesEach; i++) {
        nodes.add("mesh-" + meshId + "-" + name + "-node-" + (90 + i));
      }
      nodesOf.put(name, nodes);
    }
    List<MeshReady.MeshClusterView> views = new ArrayList<>();
    for (int c = 0; c < clusters; c++) {
      String self = names.get(c);
      List<MeshReady.RemoteNodes> remotes =
          names.stream()
              .filter(other -> !other.equals(self))
              .map(other -> new MeshReady.RemoteNodes(other, nodesOf.get(other)))
              .toList();
      views.add(
          new MeshReady.MeshClusterView(
              self, 200 + c, nodesOf.get(self), "192.168.255.255", remotes));
    }
    EventEnvelope ready =
        EventEnvelope.create(meshId, null, UUID.randomUUID(), "mesh-service", new MeshReady(views));

    assertThat(CODEC.encode(ready).length).isLessThan(768 * 1024);
  }
}
