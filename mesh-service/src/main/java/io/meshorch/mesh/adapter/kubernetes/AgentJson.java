package io.meshorch.mesh.adapter.kubernetes;

import io.meshorch.mesh.domain.RemoteStatus;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads the JSON the Cilium agent prints. Only the fields used are read; unknown ones are ignored.
 *
 * <ul>
 *   <li>{@code cilium-dbg node list -o json}: an array of objects, each with {@code name} = {@code
 *       <cluster>/<node>}.
 *   <li>{@code cilium-dbg status -o json}: {@code cluster-mesh.clusters[]} with {@code name},
 *       {@code ready}, {@code status}, {@code num-nodes} and {@code last-failure}; a missing {@code
 *       cluster-mesh} means no remote is configured.
 * </ul>
 */
final class AgentJson {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private AgentJson() {}

  /** The node names of a node list. */
  static List<String> nodeNames(String json) {
    JsonNode root = parse(json, "node list");
    if (!root.isArray()) {
      throw new IllegalArgumentException("node list is not a JSON array");
    }
    List<String> names = new ArrayList<>();
    for (JsonNode node : root) {
      String name = text(node.get("name"));
      if (name != null) {
        names.add(name);
      }
    }
    return names;
  }

  /** The remote clusters of a status. */
  static List<RemoteStatus> remotes(String json) {
    JsonNode root = parse(json, "status");
    if (!root.isObject()) {
      throw new IllegalArgumentException("status is not a JSON object");
    }
    return remoteList(root.path("cluster-mesh").path("clusters"));
  }

  /**
   * The remote clusters of {@code clustermesh-apiserver kvstoremesh-dbg status -o json}: an array
   * of the same remote-cluster objects as the agents' {@code cluster-mesh.clusters[]}.
   */
  static List<RemoteStatus> kvstoremeshRemotes(String json) {
    JsonNode root = parse(json, "kvstoremesh status");
    if (!root.isArray()) {
      throw new IllegalArgumentException("kvstoremesh status is not a JSON array");
    }
    return remoteList(root);
  }

  private static List<RemoteStatus> remoteList(JsonNode clusters) {
    List<RemoteStatus> out = new ArrayList<>();
    if (clusters.isArray()) {
      for (JsonNode c : clusters) {
        out.add(
            new RemoteStatus(
                text(c.get("name")),
                c.path("ready").asBoolean(false),
                text(c.get("status")),
                c.path("num-nodes").asInt(0),
                text(c.get("last-failure"))));
      }
    }
    return out;
  }

  private static JsonNode parse(String json, String what) {
    try {
      return JSON.readTree(json);
    } catch (JacksonException e) {
      throw new IllegalArgumentException(what + " output is not valid JSON", e);
    }
  }

  private static String text(JsonNode node) {
    return node == null || node.isNull() || node.isMissingNode() ? null : node.asString();
  }
}
