package io.meshorch.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LoopbackPortsTest {

  /**
   * The ports handed out are where no {@code bind(0)} of another server (the sandbox starting
   * beside the broker) and no outgoing connection can land: outside the kernel's ephemeral range,
   * distinct and free.
   */
  @Test
  void reservedPortsAreDistinctFreeAndOutsideTheEphemeralRange() throws Exception {
    int[] ephemeral = LoopbackPorts.ephemeralRange();

    List<Integer> ports = LoopbackPorts.reserve(3);

    assertThat(ports).hasSize(3).doesNotHaveDuplicates();
    assertThat(ports)
        .allSatisfy(
            p -> {
              assertThat(p).isBetween(LoopbackPorts.LOWEST, 65_535);
              assertThat(p < ephemeral[0] || p > ephemeral[1])
                  .as("%d outside the ephemeral range %d-%d", p, ephemeral[0], ephemeral[1])
                  .isTrue();
            });
    // a burst of bind(0), as servers starting at the same time make, never gets one of them
    List<ServerSocket> others = new ArrayList<>();
    try {
      for (int i = 0; i < 500; i++) {
        ServerSocket socket = new ServerSocket();
        socket.bind(new InetSocketAddress("127.0.0.1", 0));
        others.add(socket);
      }
      assertThat(others).extracting(ServerSocket::getLocalPort).doesNotContainAnyElementsOf(ports);
      for (int port : ports) {
        try (ServerSocket socket = new ServerSocket()) {
          socket.bind(new InetSocketAddress("127.0.0.1", port));
          assertThat(socket.getLocalPort()).isEqualTo(port);
        }
      }
    } finally {
      for (ServerSocket socket : others) {
        socket.close();
      }
    }
  }
}
