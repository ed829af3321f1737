package io.meshorch.infra.domain;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Reads the {@code nodes} output of a cluster stack rendered by {@link HeatTemplate}. */
public final class StackOutputs {
  private StackOutputs() {}

  /**
   * The nodes listed by the {@code nodes} output, in node order.
   *
   * @param outputs output key to output value, as Heat returns them (JSON values as plain maps,
   *     lists and strings)
   * @param expectedNodes how many nodes the cluster has
   * @throws InvalidStackOutput when the output is missing, shaped differently, has an empty field,
   *     or lists another number of nodes
   */
  public static List<StackNode> nodes(Map<String, Object> outputs, int expectedNodes) {
    Object value = outputs.get(HeatTemplate.NODES_OUTPUT);
    if (!(value instanceof List<?> list)) {
      throw new InvalidStackOutput(
          "output 'nodes' must be a list of nodes, found "
              + (value == null ? "nothing" : value.getClass().getSimpleName()));
    }
    if (list.size() != expectedNodes) {
      throw new InvalidStackOutput(
          "output 'nodes' must list " + expectedNodes + " nodes, found " + list.size());
    }
    List<StackNode> nodes = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      if (!(list.get(i) instanceof Map<?, ?> node)) {
        throw new InvalidStackOutput("output 'nodes[" + i + "]' must be an object");
      }
      nodes.add(
          new StackNode(
              field(node, i, "name"),
              field(node, i, "server_id"),
              field(node, i, "port_id"),
              field(node, i, "address")));
    }
    return List.copyOf(nodes);
  }

  private static String field(Map<?, ?> node, int index, String key) {
    Object value = node.get(key);
    if (value == null || value.toString().isBlank()) {
      throw new InvalidStackOutput("output 'nodes[" + index + "]." + key + "' is empty");
    }
    return value.toString();
  }

  /** The stack's outputs do not describe the nodes as the template promises. */
  public static final class InvalidStackOutput extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public InvalidStackOutput(String message) {
      super(message);
    }
  }
}
