package io.meshorch.contracts.validation;

import io.meshorch.contracts.ClusterSpec;
import io.meshorch.contracts.MachineSpec;
import io.meshorch.contracts.MeshRequested;
import io.meshorch.contracts.Violation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Checks a mesh request against the rules of Cilium cluster mesh, Kubernetes and OpenStack before
 * anything is created, and reports every problem at once. Pure: no I/O. Used by infra-service
 * (which answers {@code MeshRejected}) and by {@code meshctl validate} (dry run).
 */
public final class MeshRequestValidator {
  /** Upper bound of the cluster ID without {@code clustermesh.maxConnectedClusters=511}. */
  public static final int MAX_CLUSTER_ID = 255;

  /** Mesh IDs become part of OpenStack and Kubernetes names: keep them short and DNS-safe. */
  public static final int MAX_MESH_ID_LENGTH = 24;

  public static final int MAX_CLUSTER_NAME_LENGTH = 32;
  public static final int MAX_NODES_PER_CLUSTER = 100;

  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

  /** Every violation of {@code request} for mesh {@code meshId}; empty when it is valid. */
  public List<Violation> validate(String meshId, MeshRequested request) {
    List<Violation> out = new ArrayList<>();
    checkName(out, "meshId", meshId, MAX_MESH_ID_LENGTH);
    List<ClusterSpec> clusters = request == null ? List.of() : request.clusters();
    if (clusters.isEmpty()) {
      out.add(new Violation("clusters", "at least one cluster is required"));
    }
    for (int i = 0; i < clusters.size(); i++) {
      checkCluster(out, "clusters[" + i + "]", clusters.get(i));
    }
    checkUnique(out, clusters, "name", ClusterSpec::name);
    checkUnique(out, clusters, "id", ClusterSpec::id);
    checkDisjoint(out, clusters);
    return List.copyOf(out);
  }

  private static void checkCluster(List<Violation> out, String at, ClusterSpec c) {
    if (c == null) {
      out.add(new Violation(at, "a cluster entry is required, found null"));
      return;
    }
    checkName(out, at + ".name", c.name(), MAX_CLUSTER_NAME_LENGTH);
    if ("default".equals(c.name())) {
      out.add(new Violation(at + ".name", "'default' is reserved by Cilium"));
    }
    if (c.id() == null) {
      out.add(new Violation(at + ".id", "is required (1.." + MAX_CLUSTER_ID + ")"));
    } else if (c.id() < 1 || c.id() > MAX_CLUSTER_ID) {
      out.add(
          new Violation(
              at + ".id", "must be between 1 and " + MAX_CLUSTER_ID + ", found " + c.id()));
    }
    if (c.nodeCount() == null) {
      out.add(new Violation(at + ".nodeCount", "is required (at least 1)"));
    } else if (c.nodeCount() < 1 || c.nodeCount() > MAX_NODES_PER_CLUSTER) {
      out.add(
          new Violation(
              at + ".nodeCount",
              "must be between 1 and " + MAX_NODES_PER_CLUSTER + ", found " + c.nodeCount()));
    }
    checkBlock(out, at + ".podCidr", c.podCidr(), Ipv4Block::parseCidr, "an IPv4 CIDR");
    checkBlock(out, at + ".serviceCidr", c.serviceCidr(), Ipv4Block::parseCidr, "an IPv4 CIDR");
    checkBlock(
        out,
        at + ".lbAddressPool",
        c.lbAddressPool(),
        Ipv4Block::parsePool,
        "an IPv4 CIDR or an address range a.b.c.d-e.f.g.h");
    checkMachine(out, at + ".machine", c.machine());
  }

  private static void checkMachine(List<Violation> out, String at, MachineSpec m) {
    if (m == null) {
      out.add(new Violation(at, "is required (image, flavor, network, keyName, sshUser)"));
      return;
    }
    required(out, at + ".image", m.image());
    required(out, at + ".flavor", m.flavor());
    required(out, at + ".network", m.network());
    required(out, at + ".keyName", m.keyName());
    required(out, at + ".sshUser", m.sshUser());
  }

  private static void required(List<Violation> out, String at, String value) {
    if (value == null || value.isBlank()) {
      out.add(new Violation(at, "is required"));
    }
  }

  private static void checkName(List<Violation> out, String at, String name, int maxLength) {
    if (name == null || name.isBlank()) {
      out.add(new Violation(at, "is required"));
    } else if (name.length() > maxLength) {
      out.add(
          new Violation(
              at, "must be at most " + maxLength + " characters, found " + name.length()));
    } else if (!DNS_LABEL.matcher(name).matches()) {
      out.add(
          new Violation(
              at,
              "must consist of lowercase letters, digits and '-', and start and end with a"
                  + " letter or digit, found '"
                  + name
                  + "'"));
    }
  }

  private static void checkBlock(
      List<Violation> out,
      String at,
      String value,
      Function<String, Optional<Ipv4Block>> parser,
      String what) {
    if (value == null || value.isBlank()) {
      out.add(new Violation(at, "is required (" + what + ")"));
    } else if (parser.apply(value).isEmpty()) {
      out.add(
          new Violation(
              at,
              "must be " + what + " (a CIDR must have no host bits set), found '" + value + "'"));
    }
  }

  private static <T> void checkUnique(
      List<Violation> out, List<ClusterSpec> clusters, String field, Function<ClusterSpec, T> key) {
    Map<T, Integer> seen = new HashMap<>();
    for (int i = 0; i < clusters.size(); i++) {
      ClusterSpec c = clusters.get(i);
      T value = c == null ? null : key.apply(c);
      if (value == null) {
        continue;
      }
      Integer first = seen.putIfAbsent(value, i);
      if (first != null) {
        out.add(
            new Violation(
                "clusters[" + i + "]." + field,
                "must be unique in the mesh, '"
                    + value
                    + "' is already used by clusters["
                    + first
                    + "]"));
      }
    }
  }

  /** Pod CIDRs, service CIDRs and LB pools of all clusters must not share an address. */
  private static void checkDisjoint(List<Violation> out, List<ClusterSpec> clusters) {
    record Named(String field, String text, Ipv4Block block) {}
    List<Named> blocks = new ArrayList<>();
    for (int i = 0; i < clusters.size(); i++) {
      ClusterSpec c = clusters.get(i);
      if (c == null) {
        continue;
      }
      String at = "clusters[" + i + "].";
      Ipv4Block.parseCidr(c.podCidr())
          .ifPresent(b -> blocks.add(new Named(at + "podCidr", c.podCidr(), b)));
      Ipv4Block.parseCidr(c.serviceCidr())
          .ifPresent(b -> blocks.add(new Named(at + "serviceCidr", c.serviceCidr(), b)));
      Ipv4Block.parsePool(c.lbAddressPool())
          .ifPresent(b -> blocks.add(new Named(at + "lbAddressPool", c.lbAddressPool(), b)));
    }
    for (int j = 1; j < blocks.size(); j++) {
      for (int i = 0; i < j; i++) {
        Named a = blocks.get(i);
        Named b = blocks.get(j);
        if (a.block().overlaps(b.block())) {
          out.add(
              new Violation(
                  b.field(),
                  "must not overlap "
                      + a.field()
                      + " ("
                      + a.text()
                      + "), found '"
                      + b.text()
                      + "'"));
        }
      }
    }
  }
}
