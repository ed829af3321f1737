package io.meshorch.contracts.validation;

import io.meshorch.contracts.ClusterSpec;
import io.meshorch.contracts.EventCodec;
import io.meshorch.contracts.KubernetesSpec;
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
 * (which answers {@code MeshRejected}) and by {@code meshctl validate} (dry run), so both apply the
 * same limits and give the same answer.
 *
 * <p><b>Limits first.</b> The product's documented limits ({@link #MAX_CLUSTERS_PER_MESH}, {@link
 * #MAX_NODES_PER_CLUSTER}, {@link #MAX_NODES_PER_MESH}, {@link #MAX_REQUEST_BYTES}) are checked
 * before anything else, in time linear in the request. When one is exceeded only the limit
 * violations are reported: the per-field and pairwise rules are not evaluated on a request that
 * will be rejected anyway, so the pairwise overlap check only ever runs on at most {@code 3 *
 * MAX_CLUSTERS_PER_MESH} address blocks.
 *
 * <p><b>One violation per rule and field.</b> Occurrences of the same rule on the same field of
 * different clusters (or pairs of clusters) are reported once: a rule met once names the concrete
 * field and what it collides with ({@code clusters[1].podCidr: must not overlap clusters[0].podCidr
 * (10.101.0.0/16), found '10.101.128.0/17'}); a rule met several times names the field pattern
 * ({@code clusters[*].podCidr}), the count and the first few occurrences. The list holds at most
 * {@link #MAX_VIOLATIONS} entries, the last saying how many more were left out, and echoed values
 * are shortened, so a {@code MeshRejected} built from it stays a few KiB, far below Kafka's record
 * size limit (1 MiB by default).
 *
 * <p><b>Why these limits.</b> Cilium's cluster IDs allow 255 clusters (511 with {@code
 * clustermesh.maxConnectedClusters}), but the product is cheaper to keep within a lower bound:
 *
 * <ul>
 *   <li>{@code MeshReady} carries the node table: every cluster lists the nodes it sees of every
 *       other cluster, so the event grows with clusters &times; nodes. With {@value
 *       #MAX_CLUSTERS_PER_MESH} clusters, {@value #MAX_NODES_PER_MESH} nodes and the longest names
 *       the rules allow, it encodes to about 660 KB, inside Kafka's default 1 MiB record limit; 64
 *       clusters of 512 nodes would need about 2.6 MB and the mesh's outcome could not be
 *       published.
 *   <li>Every cluster is its own Heat stack, created at the same time in one project (Heat's
 *       default {@code max_stacks_per_tenant} is 100), and every cluster connects to every other
 *       one: {@code N * (N - 1)} clustermesh connections and remote etcd watches per mesh.
 *   <li>{@value #MAX_NODES_PER_CLUSTER} nodes per cluster keeps a cluster's Heat stack (a port and
 *       a server per node) far below Heat's default {@code max_resources_per_stack} of 1000, and
 *       one {@code rke up} within its add-on timeouts.
 *   <li>A request within these limits encodes to about 10 KiB; {@value #MAX_REQUEST_BYTES} bytes of
 *       JSON ({@link EventCodec#encodedSize}, the encoding on the wire) leaves room for long image
 *       and network names while keeping the request and its answers small records.
 * </ul>
 */
public final class MeshRequestValidator {
  /** Upper bound of the cluster ID without {@code clustermesh.maxConnectedClusters=511}. */
  public static final int MAX_CLUSTER_ID = 255;

  /** Mesh IDs become part of OpenStack and Kubernetes names: keep them short and DNS-safe. */
  public static final int MAX_MESH_ID_LENGTH = 24;

  /** Cilium's limit on cluster names. */
  public static final int MAX_CLUSTER_NAME_LENGTH = 32;

  /** Product limit: clusters in one mesh (see the class comment for why). */
  public static final int MAX_CLUSTERS_PER_MESH = 32;

  /** Product limit: nodes (VMs) of one cluster. */
  public static final int MAX_NODES_PER_CLUSTER = 100;

  /** Product limit: nodes (VMs) of all clusters of one mesh together. */
  public static final int MAX_NODES_PER_MESH = 256;

  /** Product limit: bytes of the request's payload encoded as JSON by {@link EventCodec}. */
  public static final int MAX_REQUEST_BYTES = 256 * 1024;

  /** Most violations listed; the last entry counts the ones left out. */
  public static final int MAX_VIOLATIONS = 50;

  /** Echoed user values are cut to this many characters. */
  static final int MAX_ECHO = 40;

  /**
   * Longest {@code machine.image}, {@code flavor}, {@code network}, {@code keyName} and security
   * group name: Glance, Nova and Neutron store names in 255-character columns and refuse longer
   * ones.
   */
  public static final int MAX_OPENSTACK_NAME_LENGTH = 255;

  /** Longest {@code machine.sshUser}: Linux's {@code useradd} limit (shadow-utils). */
  public static final int MAX_SSH_USER_LENGTH = 32;

  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

  /**
   * A POSIX user name as shadow-utils' {@code useradd} accepts it by default ({@code NAME_REGEX} of
   * Debian and Ubuntu): a subset of POSIX's portable filename characters, never starting with '-'
   * or a digit. The name goes into cloud-config ({@code usermod -aG docker <user>}), {@code
   * cluster.yml} and SSH logins, so nothing beyond this set may pass.
   */
  private static final Pattern POSIX_USER = Pattern.compile("[a-z_][a-z0-9_-]*");

  /** C0 controls, DEL and C1 controls: what must not reach YAML, HOT or a shell. */
  private static final Pattern CONTROL = Pattern.compile("[\\x00-\\x1F\\x7F-\\x9F]");

  private static final EventCodec CODEC = new EventCodec();

  /** An RKE1 {@code kubernetes_version}, as RKE's system images name it: v1.28.15-rancher1-1. */
  private static final Pattern RKE1_VERSION =
      Pattern.compile("v\\d+\\.\\d+\\.\\d+-rancher\\d+-\\d+");

  /** An RKE2 release, as its GitHub releases and install script name it: v1.30.4+rke2r1. */
  private static final Pattern RKE2_VERSION = Pattern.compile("v\\d+\\.\\d+\\.\\d+\\+rke2r\\d+");

  /**
   * The violations of {@code request} for mesh {@code meshId}; empty when it is valid. Only the
   * limit violations when a limit is exceeded; at most {@link #MAX_VIOLATIONS} entries.
   */
  public List<Violation> validate(String meshId, MeshRequested request) {
    List<ClusterSpec> clusters = request == null ? List.of() : request.clusters();
    ViolationGroups limits = new ViolationGroups();
    checkLimits(limits, request, clusters);
    if (!limits.isEmpty()) {
      return capped(limits.toList());
    }
    ViolationGroups out = new ViolationGroups();
    checkName(out, meshId);
    if (clusters.isEmpty()) {
      out.add(new Violation("clusters", "at least one cluster is required"));
    }
    checkKubernetes(out, "kubernetes", request == null ? null : request.kubernetes());
    for (int i = 0; i < clusters.size(); i++) {
      checkCluster(out, i, clusters.get(i));
    }
    checkUnique(out, clusters, "name", ClusterSpec::name);
    checkUnique(out, clusters, "id", ClusterSpec::id);
    checkDisjoint(out, clusters);
    return capped(out.toList());
  }

  /**
   * {@code violations} if there are at most {@link #MAX_VIOLATIONS}; otherwise the first {@code
   * MAX_VIOLATIONS - 1} and a last entry (field {@code violations}) saying how many more there are.
   */
  public static List<Violation> capped(List<Violation> violations) {
    if (violations.size() <= MAX_VIOLATIONS) {
      return List.copyOf(violations);
    }
    List<Violation> out = new ArrayList<>(violations.subList(0, MAX_VIOLATIONS - 1));
    int more = violations.size() - out.size();
    out.add(
        new Violation(
            "violations",
            "... and " + more + " more not listed: fix the ones above and validate again"));
    return List.copyOf(out);
  }

  /** The documented limits, each checked in linear time. */
  private static void checkLimits(
      ViolationGroups out, MeshRequested request, List<ClusterSpec> clusters) {
    if (clusters.size() > MAX_CLUSTERS_PER_MESH) {
      out.add(
          new Violation(
              "clusters",
              "must list at most "
                  + MAX_CLUSTERS_PER_MESH
                  + " clusters per mesh (the product limit), found "
                  + clusters.size()));
    }
    long nodes = 0;
    for (int i = 0; i < clusters.size(); i++) {
      ClusterSpec c = clusters.get(i);
      Integer count = c == null ? null : c.nodeCount();
      if (count == null || count < 1) {
        continue;
      }
      nodes += count;
      if (count > MAX_NODES_PER_CLUSTER) {
        cluster(
            out,
            i,
            "nodeCount",
            "must be at most " + MAX_NODES_PER_CLUSTER + " nodes per cluster (the product limit)",
            String.valueOf(count));
      }
    }
    if (nodes > MAX_NODES_PER_MESH) {
      out.add(
          new Violation(
              "clusters[*].nodeCount",
              "must add up to at most "
                  + MAX_NODES_PER_MESH
                  + " nodes per mesh (the product limit), found "
                  + nodes));
    }
    long bytes = request == null ? 0 : CODEC.encodedSize(request);
    if (bytes > MAX_REQUEST_BYTES) {
      out.add(
          new Violation(
              "request",
              "must encode to at most "
                  + MAX_REQUEST_BYTES
                  + " bytes of JSON (the product limit), found "
                  + bytes
                  + ": shorten names and values"));
    }
  }

  private static void checkCluster(ViolationGroups out, int i, ClusterSpec c) {
    if (c == null) {
      cluster(out, i, "", "a cluster entry is required, found null", null);
      return;
    }
    checkClusterName(out, i, c.name());
    if (c.id() == null) {
      cluster(out, i, "id", "is required (1.." + MAX_CLUSTER_ID + ")", null);
    } else if (c.id() < 1 || c.id() > MAX_CLUSTER_ID) {
      cluster(out, i, "id", "must be between 1 and " + MAX_CLUSTER_ID, String.valueOf(c.id()));
    }
    if (c.nodeCount() == null) {
      cluster(out, i, "nodeCount", "is required (at least 1)", null);
    } else if (c.nodeCount() < 1) {
      cluster(
          out,
          i,
          "nodeCount",
          "must be between 1 and " + MAX_NODES_PER_CLUSTER,
          String.valueOf(c.nodeCount()));
    }
    checkBlock(out, i, "podCidr", c.podCidr(), Ipv4Block::parseCidr, "an IPv4 CIDR");
    checkBlock(out, i, "serviceCidr", c.serviceCidr(), Ipv4Block::parseCidr, "an IPv4 CIDR");
    checkBlock(
        out,
        i,
        "lbAddressPool",
        c.lbAddressPool(),
        Ipv4Block::parsePool,
        "an IPv4 CIDR or an address range a.b.c.d-e.f.g.h");
    checkMachine(out, i, c.machine());
    checkKubernetes(out, "clusters[" + i + "].kubernetes", c.kubernetes());
  }

  /**
   * {@code kubernetes} of the mesh or of one cluster (at {@code at}): optional; when given, a known
   * distribution and a version of its form (or none: rke-service's default).
   */
  private static void checkKubernetes(ViolationGroups out, String at, KubernetesSpec k) {
    if (k == null) {
      return;
    }
    String distribution = k.distribution();
    Pattern form;
    String example;
    if (KubernetesSpec.RKE1.equals(distribution)) {
      form = RKE1_VERSION;
      example = "v1.28.15-rancher1-1";
    } else if (KubernetesSpec.RKE2.equals(distribution)) {
      form = RKE2_VERSION;
      example = "v1.30.4+rke2r1";
    } else {
      String found = distribution == null ? "" : ", found '" + quote(distribution) + "'";
      out.add(
          new Violation(
              at + ".distribution",
              "must be " + KubernetesSpec.RKE1 + " or " + KubernetesSpec.RKE2 + found));
      return;
    }
    String version = k.version();
    if (version != null && !form.matcher(version).matches()) {
      out.add(
          new Violation(
              at + ".version",
              "must be a "
                  + distribution
                  + " release like "
                  + example
                  + " (or absent for rke-service's default), found '"
                  + quote(version)
                  + "'"));
    }
  }

  private static void checkMachine(ViolationGroups out, int i, MachineSpec m) {
    if (m == null) {
      cluster(out, i, "machine", "is required (image, flavor, network, keyName, sshUser)", null);
      return;
    }
    openstackName(out, i, "machine.image", m.image(), true);
    openstackName(out, i, "machine.flavor", m.flavor(), true);
    openstackName(out, i, "machine.network", m.network(), true);
    openstackName(out, i, "machine.keyName", m.keyName(), true);
    checkSshUser(out, i, m.sshUser());
    List<String> groups = m.securityGroups();
    if (groups != null) {
      for (int g = 0; g < groups.size(); g++) {
        openstackName(out, i, "machine.securityGroups[" + g + "]", groups.get(g), true);
      }
    }
  }

  /**
   * A name or ID sent to Glance, Nova or Neutron (and written into the Heat template): required, no
   * control characters (a newline or escape would change the YAML or a log line it lands in), at
   * most {@link #MAX_OPENSTACK_NAME_LENGTH} characters.
   */
  private static void openstackName(
      ViolationGroups out, int i, String field, String value, boolean mandatory) {
    if (value == null || value.isBlank()) {
      if (mandatory) {
        cluster(out, i, field, "is required", null);
      }
      return;
    }
    if (CONTROL.matcher(value).find()) {
      cluster(out, i, field, "must not contain control characters", "'" + quote(value) + "'");
    }
    if (value.length() > MAX_OPENSTACK_NAME_LENGTH) {
      cluster(
          out,
          i,
          field,
          "must be at most "
              + MAX_OPENSTACK_NAME_LENGTH
              + " characters (the OpenStack APIs' limit)",
          value.length() + " characters");
    }
  }

  /** {@code machine.sshUser}: a POSIX user name (see {@link #POSIX_USER}). */
  private static void checkSshUser(ViolationGroups out, int i, String user) {
    String field = "machine.sshUser";
    if (user == null || user.isBlank()) {
      cluster(out, i, field, "is required", null);
    } else if (user.length() > MAX_SSH_USER_LENGTH) {
      cluster(
          out,
          i,
          field,
          "must be a POSIX user name of at most " + MAX_SSH_USER_LENGTH + " characters",
          user.length() + " characters");
    } else if (!POSIX_USER.matcher(user).matches()) {
      cluster(
          out,
          i,
          field,
          "must be a POSIX user name: lowercase letters, digits, '_' and '-', starting with a"
              + " letter or '_'",
          "'" + quote(user) + "'");
    }
  }

  /** A naming rule a name breaks, and what was found (null when nothing is worth echoing). */
  private record BrokenName(String rule, String found) {}

  private static void checkName(ViolationGroups out, String meshId) {
    nameRule(meshId, MAX_MESH_ID_LENGTH)
        .ifPresent(
            broken ->
                out.add(
                    new Violation(
                        "meshId",
                        broken.found() == null
                            ? broken.rule()
                            : broken.rule() + ", found " + broken.found())));
  }

  private static void checkClusterName(ViolationGroups out, int i, String name) {
    nameRule(name, MAX_CLUSTER_NAME_LENGTH)
        .ifPresent(broken -> cluster(out, i, "name", broken.rule(), broken.found()));
    if ("default".equals(name)) {
      cluster(out, i, "name", "'default' is reserved by Cilium", null);
    }
  }

  /** The naming rule {@code name} breaks, or empty when it is a fine name. */
  private static Optional<BrokenName> nameRule(String name, int maxLength) {
    if (name == null || name.isBlank()) {
      return Optional.of(new BrokenName("is required", null));
    }
    if (name.length() > maxLength) {
      return Optional.of(
          new BrokenName(
              "must be at most " + maxLength + " characters", name.length() + " characters"));
    }
    if (!DNS_LABEL.matcher(name).matches()) {
      return Optional.of(
          new BrokenName(
              "must consist of lowercase letters, digits and '-', and start and end with a"
                  + " letter or digit",
              "'" + quote(name) + "'"));
    }
    return Optional.empty();
  }

  private static void checkBlock(
      ViolationGroups out,
      int i,
      String field,
      String value,
      Function<String, Optional<Ipv4Block>> parser,
      String what) {
    if (value == null || value.isBlank()) {
      cluster(out, i, field, "is required (" + what + ")", null);
    } else if (parser.apply(value).isEmpty()) {
      cluster(
          out,
          i,
          field,
          "must be " + what + " (a CIDR must have no host bits set)",
          "'" + quote(value) + "'");
    }
  }

  private static <T> void checkUnique(
      ViolationGroups out, List<ClusterSpec> clusters, String field, Function<ClusterSpec, T> key) {
    Map<T, Integer> seen = new HashMap<>();
    for (int i = 0; i < clusters.size(); i++) {
      ClusterSpec c = clusters.get(i);
      T value = c == null ? null : key.apply(c);
      if (value == null) {
        continue;
      }
      Integer first = seen.putIfAbsent(value, i);
      if (first != null) {
        String at = "clusters[" + i + "]." + field;
        String shown = value instanceof String s ? quote(s) : String.valueOf(value);
        String taken = "'" + shown + "' is already used by clusters[" + first + "]";
        out.add(
            "clusters[*]." + field,
            "must be unique in the mesh",
            "duplicates",
            new Violation(at, "must be unique in the mesh, " + taken),
            at + " " + taken);
      }
    }
  }

  /**
   * Pod CIDRs, service CIDRs and LB pools of all clusters must not share an address. Pairwise, but
   * on at most {@code 3 * MAX_CLUSTERS_PER_MESH} blocks: the limits were checked before.
   */
  private static void checkDisjoint(ViolationGroups out, List<ClusterSpec> clusters) {
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
              pattern(b.field()),
              "must not overlap another pod CIDR, service CIDR or LB pool of the mesh",
              "overlaps",
              new Violation(
                  b.field(),
                  "must not overlap "
                      + a.field()
                      + " ("
                      + quote(a.text())
                      + "), found '"
                      + quote(b.text())
                      + "'"),
              b.field() + " " + quote(b.text()) + " overlaps " + a.field() + " " + quote(a.text()));
        }
      }
    }
  }

  /**
   * One occurrence of a per-cluster rule: reads {@code clusters[i].field: rule, found x} alone, and
   * {@code clusters[*].field: rule: n clusters, e.g. clusters[i].field x; …} with others.
   */
  private static void cluster(ViolationGroups out, int i, String field, String rule, String found) {
    String suffix = field.isEmpty() ? "" : "." + field;
    String at = "clusters[" + i + "]" + suffix;
    out.add(
        "clusters[*]" + suffix,
        rule,
        "clusters",
        new Violation(at, found == null ? rule : rule + ", found " + found),
        found == null ? at : at + " " + found);
  }

  /** {@code clusters[3].podCidr} becomes {@code clusters[*].podCidr}. */
  private static String pattern(String field) {
    return field.replaceFirst("\\[\\d+]", "[*]");
  }

  /**
   * A user value as echoed in a message: cut to {@link #MAX_ECHO} characters, control characters
   * shown as {@code \\uXXXX} so that an answer never carries a raw newline or escape.
   */
  private static String quote(String value) {
    String cut = value.length() <= MAX_ECHO ? value : value.substring(0, MAX_ECHO) + "...";
    StringBuilder shown = new StringBuilder(cut.length());
    for (char c : cut.toCharArray()) {
      if (CONTROL.matcher(String.valueOf(c)).matches()) {
        shown.append(String.format("\\u%04x", (int) c));
      } else {
        shown.append(c);
      }
    }
    return shown.toString();
  }
}
