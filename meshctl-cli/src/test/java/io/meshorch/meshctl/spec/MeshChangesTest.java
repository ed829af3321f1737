package io.meshorch.meshctl.spec;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshorch.contracts.MeshRequested;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MeshChangesTest {
  private static final String LAST =
      """
      mesh: demo
      defaults:
        machine: {image: ubuntu-22.04, flavor: m1.large, network: mesh-net, keyName: mesh, sshUser: ubuntu}
      clusters:
        - {name: east, id: 1, nodeCount: 2, podCidr: 10.1.0.0/16, serviceCidr: 10.201.0.0/16,
           lbAddressPool: 192.168.50.10-192.168.50.19}
        - {name: west, id: 2, nodeCount: 2, podCidr: 10.2.0.0/16, serviceCidr: 10.202.0.0/16,
           lbAddressPool: 192.168.50.20-192.168.50.29}
      """;

  private static MeshRequested request(String text) {
    MeshFile.Parsed parsed = MeshFile.parse(text);
    assertThat(parsed.problems()).isEmpty();
    return parsed.request();
  }

  private static List<MeshChanges.Change> compare(String file) {
    return MeshChanges.compare("demo", request(LAST), request(file));
  }

  @Test
  void theSameFileChangesNothing() {
    assertThat(compare(LAST)).isEmpty();
  }

  @Test
  void anAddedClusterIsNoChangeAndClusterOrderDoesNotMatter() {
    String file =
        """
        mesh: demo
        defaults:
          machine: {image: ubuntu-22.04, flavor: m1.large, network: mesh-net, keyName: mesh, sshUser: ubuntu}
        clusters:
          - {name: north, id: 3, nodeCount: 1, podCidr: 10.3.0.0/16, serviceCidr: 10.203.0.0/16,
             lbAddressPool: 192.168.50.30-192.168.50.39}
          - {name: west, id: 2, nodeCount: 2, podCidr: 10.2.0.0/16, serviceCidr: 10.202.0.0/16,
             lbAddressPool: 192.168.50.20-192.168.50.29}
          - {name: east, id: 1, nodeCount: 2, podCidr: 10.1.0.0/16, serviceCidr: 10.201.0.0/16,
             lbAddressPool: 192.168.50.10-192.168.50.19}
        """;

    assertThat(compare(file)).isEmpty();
  }

  @ParameterizedTest(name = "{0}: {1} -> {2}")
  @CsvSource(
      delimiter = '|',
      value = {
        "id            | 'id: 2'                                | 'id: 9'                                | 2                             | 9                             | the Cilium cluster ID of a running cluster cannot change",
        "podCidr       | 'podCidr: 10.2.0.0/16'                 | 'podCidr: 10.9.0.0/16'                 | 10.2.0.0/16                   | 10.9.0.0/16                   | the pod CIDR of a running cluster cannot change (Cilium and RKE keep it)",
        "serviceCidr   | 'serviceCidr: 10.202.0.0/16'           | 'serviceCidr: 10.209.0.0/16'           | 10.202.0.0/16                 | 10.209.0.0/16                 | the service CIDR of a running cluster cannot change",
        "nodeCount     | 'id: 2, nodeCount: 2'                  | 'id: 2, nodeCount: 3'                  | 2                             | 3                             | changing the node count of a running cluster is not supported",
        "lbAddressPool | 'lbAddressPool: 192.168.50.20-192.168.50.29' | 'lbAddressPool: 192.168.50.40-192.168.50.49' | 192.168.50.20-192.168.50.29 | 192.168.50.40-192.168.50.49 | changing the MetalLB address pool of a running cluster is not supported",
      })
  void aChangedFieldOfALiveClusterIsNamedWithBothValuesAndTheRule(
      String field, String before, String after, String was, String now, String rule) {
    String westOnly = LAST.substring(LAST.indexOf("- {name: west"));
    String file =
        LAST.substring(0, LAST.indexOf("- {name: west")) + westOnly.replace(before, after);

    List<MeshChanges.Change> changes = compare(file);

    assertThat(changes).hasSize(1);
    MeshChanges.Change change = changes.get(0);
    assertThat(change.cluster()).isEqualTo("west");
    assertThat(change.field()).isEqualTo(field);
    assertThat(change.line())
        .startsWith("mesh demo, cluster west: " + field + " " + was + " -> " + now + ": " + rule)
        .endsWith("delete the mesh (meshctl down) or give the cluster a new name");
  }

  @Test
  void theBriefsExampleLineReadsAsDocumented() {
    List<MeshChanges.Change> changes =
        compare(LAST.replace("podCidr: 10.2.0.0/16", "podCidr: 10.9.0.0/16"));

    assertThat(changes)
        .extracting(MeshChanges.Change::line)
        .containsExactly(
            "mesh demo, cluster west: podCidr 10.2.0.0/16 -> 10.9.0.0/16: the pod CIDR of a"
                + " running cluster cannot change (Cilium and RKE keep it); delete the mesh"
                + " (meshctl down) or give the cluster a new name");
  }

  @Test
  void machineChangesOfALiveClusterAreRejectedPerField() {
    String file =
        LAST.replace(
            "flavor: m1.large, network: mesh-net", "flavor: m1.xlarge, network: other-net");

    assertThat(compare(file))
        .extracting(MeshChanges.Change::cluster, MeshChanges.Change::field)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("east", "machine.network"),
            org.assertj.core.groups.Tuple.tuple("east", "machine.flavor"),
            org.assertj.core.groups.Tuple.tuple("west", "machine.network"),
            org.assertj.core.groups.Tuple.tuple("west", "machine.flavor"));
  }

  @Test
  void noSecurityGroupsAndAnEmptyListMeanTheSame() {
    String file = LAST.replace("sshUser: ubuntu}", "sshUser: ubuntu, securityGroups: []}");

    assertThat(compare(file)).isEmpty();
  }

  @Test
  void everyClusterLeftOutOfTheFileIsNamedAsARemovalThatNeedsPrune() {
    String file =
        """
        mesh: demo
        clusters:
          - {name: north, id: 3, nodeCount: 1, podCidr: 10.3.0.0/16, serviceCidr: 10.203.0.0/16,
             lbAddressPool: 192.168.50.30-192.168.50.39}
        """;

    List<MeshChanges.Change> changes = compare(file);

    assertThat(changes).extracting(MeshChanges.Change::cluster).containsExactly("east", "west");
    assertThat(changes).allSatisfy(c -> assertThat(c.field()).isNull());
    assertThat(changes.get(0).line())
        .isEqualTo(
            "mesh demo, cluster east: is in the mesh's last request but not in the file: removing"
                + " a cluster deletes it (its stack, the pairs the mesh added, RKE state and"
                + " secrets) and needs --prune; run meshctl up --prune, or put it back in the"
                + " file");
  }

  @Test
  void everyViolationOfOneRunIsReportedNotOnlyTheFirst() {
    String file =
        LAST.replace(
                "id: 1, nodeCount: 2, podCidr: 10.1.0.0/16",
                "id: 7, nodeCount: 2, podCidr: 10.7.0.0/16")
            .substring(0, LAST.indexOf("- {name: west"));

    assertThat(compare(file))
        .extracting(MeshChanges.Change::path)
        .containsExactly("clusters[east].id", "clusters[east].podCidr", "clusters[west]");
  }

  @Test
  void aChangeAsJsonHasTheFieldAndRuleOfARejectionAndBothValues() {
    MeshChanges.Change change =
        compare(LAST.replace("nodeCount: 2, podCidr: 10.2", "nodeCount: 5, podCidr: 10.2")).get(0);

    Map<String, Object> json = change.toJson();

    assertThat(json)
        .containsEntry("field", "clusters[west].nodeCount")
        .containsEntry("cluster", "west")
        .containsEntry("was", "2")
        .containsEntry("now", "5");
    assertThat((String) json.get("rule"))
        .startsWith("nodeCount 2 -> 5: changing the node count of a running cluster");
  }

  @Test
  void aLiveClusterKeepsItsKubernetesDistributionAndVersion() {
    String rke2 =
        LAST.replace(
            "lbAddressPool: 192.168.50.20-192.168.50.29}",
            "lbAddressPool: 192.168.50.20-192.168.50.29,"
                + " kubernetes: {distribution: rke2, version: v1.30.4+rke2r1}}");

    assertThat(MeshChanges.compare("demo", request(LAST), request(rke2)))
        .extracting(MeshChanges.Change::line)
        .containsExactly(
            "mesh demo, cluster west: kubernetes.distribution rke1 -> rke2: a running cluster"
                + " cannot move to another Kubernetes distribution (its nodes run the one"
                + " installed); delete the mesh (meshctl down) or give the cluster a new name");
    assertThat(
            MeshChanges.compare(
                "demo", request(rke2), request(rke2.replace("v1.30.4+rke2r1", "v1.31.1+rke2r1"))))
        .extracting(MeshChanges.Change::field, MeshChanges.Change::was, MeshChanges.Change::now)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                "kubernetes.version", "v1.30.4+rke2r1", "v1.31.1+rke2r1"));
  }

  @Test
  void theMeshDefaultRke1SaidOutLoudIsNoChange() {
    String explicit =
        LAST.replace("defaults:\n", "defaults:\n  kubernetes: {distribution: rke1}\n");

    assertThat(compare(explicit)).isEmpty();
  }
}
