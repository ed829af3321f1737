package io.meshorch.meshctl.spec;

import io.meshorch.contracts.ClusterSpec;
import io.meshorch.contracts.KubernetesSpec;
import io.meshorch.contracts.MachineSpec;
import io.meshorch.contracts.MeshRequested;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * What a mesh file changes against the mesh's last accepted request, as far as a running mesh
 * cannot follow: a cluster's immutable fields (keyed by name), its node count, and clusters left
 * out of the file (a removal, which {@code up --prune} carries out: its {@link Change#field()} is
 * null). Added clusters are no change here: building them is what {@code up} does. Pure: no bus, no
 * files.
 */
public final class MeshChanges {
  /** The rule of a cluster left out of the file: removing it takes {@code --prune}. */
  public static final String REMOVED =
      "is in the mesh's last request but not in the file: removing a cluster deletes it (its"
          + " stack, the pairs the mesh added, RKE state and secrets) and needs --prune; run"
          + " meshctl up --prune, or put it back in the file";

  private static final String REMEDY =
      "; delete the mesh (meshctl down) or give the cluster a new name";

  /** One field of {@link ClusterSpec} that a running cluster keeps, and why. */
  private record Kept(String field, Function<ClusterSpec, Object> value, String rule) {}

  private static final List<Kept> KEPT =
      List.of(
          new Kept(
              "id",
              ClusterSpec::id,
              "the Cilium cluster ID of a running cluster cannot change (Cilium and the other"
                  + " clusters of the mesh know it by it)"),
          new Kept(
              "podCidr",
              ClusterSpec::podCidr,
              "the pod CIDR of a running cluster cannot change (Cilium and RKE keep it)"),
          new Kept(
              "serviceCidr",
              ClusterSpec::serviceCidr,
              "the service CIDR of a running cluster cannot change (RKE sets it on the API server"
                  + " and kube-proxy)"),
          new Kept(
              "nodeCount",
              ClusterSpec::nodeCount,
              "changing the node count of a running cluster is not supported (its Heat stack and"
                  + " nodes stay as they are)"),
          new Kept(
              "lbAddressPool",
              ClusterSpec::lbAddressPool,
              "changing the MetalLB address pool of a running cluster is not supported (its mesh"
                  + " endpoint IP was assigned from it)"),
          new Kept(
              "machine.network",
              machine(MachineSpec::network),
              "the network of a running cluster's nodes cannot change (their addresses and the"
                  + " mesh's allowed-address pairs are on it)"),
          machineKept("machine.image", MachineSpec::image),
          machineKept("machine.flavor", MachineSpec::flavor),
          machineKept("machine.keyName", MachineSpec::keyName),
          machineKept("machine.sshUser", MachineSpec::sshUser),
          machineKept(
              "machine.securityGroups",
              // none and an empty list both mean: the stack creates the cluster's own group
              m ->
                  m.securityGroups() == null || m.securityGroups().isEmpty()
                      ? null
                      : m.securityGroups()));

  /**
   * One change a running mesh cannot follow.
   *
   * @param meshId the mesh
   * @param cluster the cluster's name
   * @param field the field of the cluster that changed, e.g. {@code podCidr} or {@code
   *     machine.flavor}; null when the whole cluster is missing from the file
   * @param was the value in the last request (null for a removed cluster)
   * @param now the value in the file (null for a removed cluster)
   * @param rule the rule it breaks and what the user can do
   */
  public record Change(
      String meshId, String cluster, String field, String was, String now, String rule) {

    /** One line for a person: mesh, cluster, field, old and new value, rule. */
    public String line() {
      String what = field == null ? "" : field + " " + was + " -> " + now + ": ";
      return "mesh " + meshId + ", cluster " + cluster + ": " + what + rule;
    }

    /** The path of the change in the file's terms, e.g. {@code clusters[west].podCidr}. */
    public String path() {
      return "clusters[" + cluster + "]" + (field == null ? "" : "." + field);
    }

    /** The change as a JSON object: {@code field} and {@code rule} as a rejection has, and more. */
    public Map<String, Object> toJson() {
      Map<String, Object> doc = new LinkedHashMap<>();
      doc.put("field", path());
      doc.put("rule", field == null ? rule : field + " " + was + " -> " + now + ": " + rule);
      doc.put("cluster", cluster);
      doc.put("was", was);
      doc.put("now", now);
      return doc;
    }
  }

  private MeshChanges() {}

  /**
   * The changes from {@code last} (the mesh's last accepted request) to {@code file} that a running
   * mesh cannot follow, in the order of {@code last}'s clusters; empty when {@code up} may go on.
   */
  public static List<Change> compare(String meshId, MeshRequested last, MeshRequested file) {
    Map<String, ClusterSpec> wanted = new LinkedHashMap<>();
    for (ClusterSpec c : file.clusters()) {
      if (c != null && c.name() != null) {
        wanted.putIfAbsent(c.name(), c);
      }
    }
    List<Change> changes = new ArrayList<>();
    for (ClusterSpec old : last.clusters()) {
      if (old == null || old.name() == null) {
        continue;
      }
      ClusterSpec now = wanted.get(old.name());
      if (now == null) {
        changes.add(new Change(meshId, old.name(), null, null, null, REMOVED));
        continue;
      }
      for (Kept kept : KEPT) {
        Object was = kept.value().apply(old);
        Object is = kept.value().apply(now);
        if (!Objects.equals(was, is)) {
          changes.add(
              new Change(
                  meshId, old.name(), kept.field(), text(was), text(is), kept.rule() + REMEDY));
        }
      }
      KubernetesSpec wasKube = effectiveKubernetes(old, last);
      KubernetesSpec isKube = effectiveKubernetes(now, file);
      if (!Objects.equals(wasKube.distribution(), isKube.distribution())) {
        changes.add(
            new Change(
                meshId,
                old.name(),
                "kubernetes.distribution",
                wasKube.distribution(),
                isKube.distribution(),
                "a running cluster cannot move to another Kubernetes distribution (its nodes run"
                    + " the one installed)"
                    + REMEDY));
      } else if (!Objects.equals(wasKube.version(), isKube.version())) {
        changes.add(
            new Change(
                meshId,
                old.name(),
                "kubernetes.version",
                text(wasKube.version()),
                text(isKube.version()),
                "upgrading the Kubernetes of a running cluster is not supported (up installs a"
                    + " version only on new nodes)"
                    + REMEDY));
      }
    }
    return List.copyOf(changes);
  }

  /**
   * The distribution and version a cluster gets: its own, else the mesh's default, else RKE1 at
   * rke-service's default version (null: whatever rke-service is configured with).
   */
  private static KubernetesSpec effectiveKubernetes(ClusterSpec cluster, MeshRequested mesh) {
    KubernetesSpec chosen = cluster.kubernetes() != null ? cluster.kubernetes() : mesh.kubernetes();
    if (chosen == null) {
      return new KubernetesSpec(KubernetesSpec.RKE1, null);
    }
    String distribution =
        chosen.distribution() == null ? KubernetesSpec.RKE1 : chosen.distribution();
    return new KubernetesSpec(distribution, chosen.version());
  }

  private static Kept machineKept(String field, Function<MachineSpec, Object> value) {
    return new Kept(
        field,
        machine(value),
        "changing the machines of a running cluster is not supported (its Heat stack and VMs are"
            + " kept as they are)");
  }

  private static Function<ClusterSpec, Object> machine(Function<MachineSpec, Object> value) {
    return c -> c.machine() == null ? null : value.apply(c.machine());
  }

  private static String text(Object value) {
    return value == null ? "(none)" : String.valueOf(value);
  }
}
