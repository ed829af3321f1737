package io.meshorch.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Loopback ports chosen now and bound later by someone else (the Kafka broker's listeners, whose
 * controller port must be written into its configuration before it starts; the VMs' SSH port).
 *
 * <p>A port found with {@code bind(0)} and released comes from the kernel's ephemeral range, the
 * same range every other {@code bind(0)} and every outgoing connection draws from: local mode
 * starts the sandbox beside the broker, and its servers took the broker's controller port before
 * the broker bound it (Kafka then halts the process). So these ports come from outside that range
 * ({@code /proc/sys/net/ipv4/ip_local_port_range}), where only an explicit bind can take them, each
 * checked free by binding it; {@code bind(0)} is the fallback when no such port is free.
 */
final class LoopbackPorts {
  /** Below this, ports are well known or registered by many programs: not used. */
  static final int LOWEST = 10_000;

  private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");

  private LoopbackPorts() {}

  /**
   * {@code count} distinct ports free on 127.0.0.1 now, outside the ephemeral range if possible.
   */
  static List<Integer> reserve(int count) {
    int[] ephemeral = ephemeralRange();
    Set<Integer> ports = new LinkedHashSet<>();
    ThreadLocalRandom random = ThreadLocalRandom.current();
    for (int attempt = 0; ports.size() < count && attempt < 200; attempt++) {
      int candidate = random.nextInt(LOWEST, 65_536);
      if (candidate >= ephemeral[0] && candidate <= ephemeral[1]) {
        continue;
      }
      if (!ports.contains(candidate) && free(candidate)) {
        ports.add(candidate);
      }
    }
    while (ports.size() < count) {
      ports.add(anyFree());
    }
    return List.copyOf(ports);
  }

  /** The kernel's ephemeral port range; Linux's default when it cannot be read. */
  static int[] ephemeralRange() {
    try {
      String[] bounds = Files.readString(EPHEMERAL_RANGE).trim().split("\\s+");
      return new int[] {Integer.parseInt(bounds[0]), Integer.parseInt(bounds[1])};
    } catch (IOException | RuntimeException e) {
      return new int[] {32_768, 60_999};
    }
  }

  private static boolean free(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress("127.0.0.1", port));
      return true;
    } catch (IOException busy) {
      return false;
    }
  }

  private static int anyFree() {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress("127.0.0.1", 0));
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free loopback port", e);
    }
  }
}
