package io.meshorch.mesh.domain;

import java.util.List;
import java.util.Optional;

/**
 * What one Cilium agent pod says about the mesh.
 *
 * @param pod the agent pod's name
 * @param nodes the entries of {@code cilium-dbg node list -o json}, each {@code <cluster>/<node>}
 * @param remotes the remote clusters of {@code cilium-dbg status -o json}
 * @param error why the agent could not be read (exec failed, output not JSON), or null
 */
public record AgentReport(
    String pod, List<String> nodes, List<RemoteStatus> remotes, String error) {

  public AgentReport {
    nodes = List.copyOf(nodes);
    remotes = List.copyOf(remotes);
  }

  /** A report of an agent that answered. */
  public static AgentReport of(String pod, List<String> nodes, List<RemoteStatus> remotes) {
    return new AgentReport(pod, nodes, remotes, null);
  }

  /** A report of an agent that could not be read. */
  public static AgentReport unreadable(String pod, String error) {
    return new AgentReport(pod, List.of(), List.of(), error);
  }

  /** The names of the nodes of {@code cluster} this agent sees, without the cluster prefix. */
  public List<String> nodesOf(String cluster) {
    String prefix = cluster + "/";
    return nodes.stream()
        .filter(n -> n.startsWith(prefix))
        .map(n -> n.substring(prefix.length()))
        .sorted()
        .distinct()
        .toList();
  }

  /** The agent's status of {@code cluster}, if it reports one. */
  public Optional<RemoteStatus> statusOf(String cluster) {
    return remotes.stream().filter(r -> cluster.equals(r.name())).findFirst();
  }
}
