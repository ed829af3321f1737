package io.meshorch.mesh.domain;

import io.meshorch.contracts.MeshReady;
import io.meshorch.contracts.MeshReady.MeshClusterView;
import io.meshorch.contracts.MeshReady.RemoteNodes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Whether every cluster of a mesh sees exactly the expected nodes of every other cluster, judged
 * from its Cilium agents' reports; and if not, precisely which cluster misses which and why. Pure.
 *
 * @param members the clusters of the mesh, sorted by name
 * @param gaps what is still missing, in cluster then remote order; empty when the mesh is healthy
 */
public record MeshVerdict(List<ClusterMember> members, List<Gap> gaps) {

  public MeshVerdict {
    members = members.stream().sorted(Comparator.comparing(ClusterMember::name)).toList();
    gaps = List.copyOf(gaps);
  }

  /**
   * Something one cluster does not see yet.
   *
   * @param cluster the local cluster
   * @param remote the remote cluster it does not see, or null for a problem of the agents
   * @param seen how many of the remote's expected nodes the worst agent sees
   * @param expected how many nodes the remote has
   * @param detail what the agent says, e.g. {@code not connected; last failure: ...}
   */
  public record Gap(String cluster, String remote, int seen, int expected, String detail) {

    /** The full sentence, e.g. {@code cluster west does not see cluster east: not connected}. */
    public String reason() {
      return remote == null
          ? "cluster " + cluster + ": " + detail
          : "cluster " + cluster + " does not see cluster " + remote + ": " + detail;
    }

    /** The short progress form, e.g. {@code west sees 0/2 nodes of east}. */
    public String progress() {
      return remote == null
          ? cluster + ": " + detail
          : cluster + " sees " + seen + "/" + expected + " nodes of " + remote;
    }
  }

  /**
   * Judges the mesh.
   *
   * @param members the clusters with their expected nodes
   * @param reports per cluster name, the reports of its agent pods (missing = no agents)
   */
  public static MeshVerdict evaluate(
      List<ClusterMember> members, Map<String, List<AgentReport>> reports) {
    List<ClusterMember> sorted =
        members.stream().sorted(Comparator.comparing(ClusterMember::name)).toList();
    List<Gap> gaps = new ArrayList<>();
    for (ClusterMember local : sorted) {
      List<AgentReport> agents =
          reports.getOrDefault(local.name(), List.of()).stream()
              .sorted(Comparator.comparing(AgentReport::pod))
              .toList();
      if (agents.isEmpty()) {
        gaps.add(
            new Gap(
                local.name(),
                null,
                0,
                0,
                "no Cilium agent pods (label k8s-app=cilium in kube-system)"));
        continue;
      }
      Optional<AgentReport> unreadable = agents.stream().filter(a -> a.error() != null).findFirst();
      if (unreadable.isPresent()) {
        gaps.add(
            new Gap(
                local.name(),
                null,
                0,
                0,
                "agent "
                    + unreadable.get().pod()
                    + " cannot be read: "
                    + unreadable.get().error()));
        continue;
      }
      for (ClusterMember remote : sorted) {
        if (!remote.name().equals(local.name())) {
          agents.stream()
              .map(a -> gap(local, remote, a))
              .flatMap(Optional::stream)
              .findFirst()
              .ifPresent(gaps::add);
        }
      }
    }
    return new MeshVerdict(sorted, gaps);
  }

  private static Optional<Gap> gap(ClusterMember local, ClusterMember remote, AgentReport agent) {
    List<String> expected = remote.nodes();
    List<String> seen = agent.nodesOf(remote.name());
    if (seen.equals(expected)) {
      return Optional.empty();
    }
    int seenExpected = (int) seen.stream().filter(expected::contains).count();
    Optional<RemoteStatus> status = agent.statusOf(remote.name());
    String detail;
    if (status.isEmpty()) {
      detail = "not configured (agent " + agent.pod() + " reports no cluster-mesh status for it)";
    } else if (!status.get().ready()) {
      detail = statusText(status.get());
    } else {
      List<String> missing = expected.stream().filter(n -> !seen.contains(n)).toList();
      List<String> unexpected = seen.stream().filter(n -> !expected.contains(n)).toList();
      List<String> parts = new ArrayList<>();
      parts.add("sees " + seenExpected + "/" + expected.size() + " nodes");
      if (!missing.isEmpty()) {
        parts.add("missing " + String.join(", ", missing));
      }
      if (!unexpected.isEmpty()) {
        parts.add("unexpected " + String.join(", ", unexpected));
      }
      detail = String.join("; ", parts) + " (status: " + statusText(status.get()) + ")";
    }
    return Optional.of(new Gap(local.name(), remote.name(), seenExpected, expected.size(), detail));
  }

  private static String statusText(RemoteStatus status) {
    String text =
        status.status() == null || status.status().isBlank()
            ? (status.ready() ? "ready" : "not ready")
            : status.status();
    if (status.lastFailure() != null && !status.lastFailure().isBlank()) {
      text += "; last failure: " + status.lastFailure();
    }
    return text;
  }

  /** True when every cluster sees exactly the expected nodes of every other one. */
  public boolean healthy() {
    return gaps.isEmpty();
  }

  /** Every gap as a sentence, separated by {@code " | "}; empty when healthy. */
  public String reason() {
    return gaps.stream().map(Gap::reason).collect(Collectors.joining(" | "));
  }

  /** The progress message while waiting, e.g. {@code waiting for agents: west sees 0/2 ...}. */
  public String progress() {
    return "waiting for agents: "
        + gaps.stream().map(Gap::progress).collect(Collectors.joining(", "));
  }

  /** The cluster to blame in a failure: the first one with a gap, or null when healthy. */
  public String blamedCluster() {
    return gaps.isEmpty() ? null : gaps.get(0).cluster();
  }

  /**
   * The node table of a healthy mesh: every cluster (by name) with its own nodes and, for every
   * other cluster (by name), the nodes it sees of it, sorted.
   *
   * @throws IllegalStateException when the mesh is not healthy
   */
  public MeshReady nodeTable() {
    if (!healthy()) {
      throw new IllegalStateException("the mesh is not healthy: " + reason());
    }
    List<MeshClusterView> views = new ArrayList<>();
    for (ClusterMember local : members) {
      List<RemoteNodes> remotes =
          members.stream()
              .filter(r -> !r.name().equals(local.name()))
              .map(r -> new RemoteNodes(r.name(), r.nodes()))
              .toList();
      views.add(
          new MeshClusterView(
              local.name(), local.id(), local.nodes(), local.meshEndpointIp(), remotes));
    }
    return new MeshReady(views);
  }
}
