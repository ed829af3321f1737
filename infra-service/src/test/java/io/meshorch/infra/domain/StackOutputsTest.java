package io.meshorch.infra.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class StackOutputsTest {
  private static Map<String, Object> node(int i) {
    Map<String, Object> n = new HashMap<>();
    n.put("name", "mesh-m1-east-node-" + i);
    n.put("server_id", "srv-" + i);
    n.put("port_id", "port-" + i);
    n.put("address", "10.0.0." + (10 + i));
    return n;
  }

  @Test
  void readsTheNodesInOrder() {
    List<StackNode> nodes = StackOutputs.nodes(Map.of("nodes", List.of(node(0), node(1))), 2);

    assertThat(nodes)
        .containsExactly(
            new StackNode("mesh-m1-east-node-0", "srv-0", "port-0", "10.0.0.10"),
            new StackNode("mesh-m1-east-node-1", "srv-1", "port-1", "10.0.0.11"));
  }

  static Stream<Arguments> malformed() {
    Map<String, Object> noAddress = node(0);
    noAddress.put("address", "");
    Map<String, Object> nullOutputs = new HashMap<>();
    nullOutputs.put("nodes", null);
    return Stream.of(
        Arguments.of(Map.of(), "output 'nodes' must be a list of nodes, found nothing"),
        Arguments.of(nullOutputs, "found nothing"),
        Arguments.of(Map.of("nodes", "x"), "found String"),
        Arguments.of(Map.of("nodes", List.of(node(0), node(1))), "must list 1 nodes, found 2"),
        Arguments.of(Map.of("nodes", List.of("x")), "'nodes[0]' must be an object"),
        Arguments.of(Map.of("nodes", List.of(noAddress)), "'nodes[0].address' is empty"));
  }

  @ParameterizedTest
  @MethodSource("malformed")
  void namesWhatIsWrongWithMalformedOutputs(Map<String, Object> outputs, String message) {
    assertThatThrownBy(() -> StackOutputs.nodes(outputs, 1))
        .isInstanceOf(StackOutputs.InvalidStackOutput.class)
        .hasMessageContaining(message);
  }
}
