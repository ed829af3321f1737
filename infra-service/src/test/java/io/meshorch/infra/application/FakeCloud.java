package io.meshorch.infra.application;

import io.meshorch.infra.domain.AddressPair;
import io.meshorch.infra.domain.NetworkPortState;
import io.meshorch.infra.domain.StackAlreadyExistsException;
import io.meshorch.infra.domain.StackState;
import io.meshorch.infra.port.ComputePort;
import io.meshorch.infra.port.NetworkPort;
import io.meshorch.infra.port.OrchestrationPort;
import io.meshorch.kit.failure.TerminalFailure;
import io.meshorch.kit.failure.TransientFailure;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * An in-memory cloud behind the three ports, with state so that replays can be checked: stacks
 * reach their final status after a few reads and then list their nodes, consoles print host keys
 * after a few reads, ports keep their pairs and count the writes.
 */
class FakeCloud implements OrchestrationPort, ComputePort, NetworkPort {
  final Map<String, Stack> stacks = new ConcurrentHashMap<>();
  final Map<String, List<AddressPair>> ports = new ConcurrentHashMap<>();
  final Map<String, AtomicInteger> consoleReads = new ConcurrentHashMap<>();
  final Map<String, AtomicInteger> portWrites = new ConcurrentHashMap<>();
  final AtomicInteger creates = new AtomicInteger();
  final AtomicInteger pairWrites = new AtomicInteger();

  /** Stack name to the status it ends in instead of CREATE_COMPLETE. */
  final Map<String, String> finalStatus = new ConcurrentHashMap<>();

  /** Servers whose console never shows host keys. */
  final Set<String> silentConsoles = ConcurrentHashMap.newKeySet();

  /** Ports whose next write fails transiently (once each). */
  final Set<String> flakyPortWrites = ConcurrentHashMap.newKeySet();

  volatile int readsUntilDone = 2;
  volatile int consoleReadsUntilKeys = 2;
  volatile int transientConsoleFailures;

  /** When set, a stack of this name appears between the lookup and the create (a race). */
  volatile String raceOn;

  /** When true, Heat accepts creates but the stacks are gone at once (deleted by someone). */
  volatile boolean stacksVanish;

  static final class Stack {
    final String id;
    final String name;
    final String template;
    final List<String> tags;
    final AtomicInteger reads = new AtomicInteger();

    Stack(String id, String name, String template, List<String> tags) {
      this.id = id;
      this.name = name;
      this.template = template;
      this.tags = tags;
    }
  }

  @Override
  public Optional<StackState> findStack(String name) {
    Stack s = stacks.get(name);
    if (s == null) {
      return Optional.empty();
    }
    if (s.reads.incrementAndGet() <= readsUntilDone) {
      return Optional.of(
          new StackState(
              s.id, name, "CREATE_IN_PROGRESS", "Stack CREATE started", outputsWhileInProgress()));
    }
    String status = finalStatus.getOrDefault(name, "CREATE_COMPLETE");
    return switch (status) {
      case "CREATE_COMPLETE", "UPDATE_COMPLETE" ->
          Optional.of(
              new StackState(
                  s.id,
                  name,
                  status,
                  "Stack CREATE completed successfully",
                  Map.of("nodes", nodesOf(s))));
      case "CREATE_FAILED" ->
          Optional.of(
              new StackState(
                  s.id,
                  name,
                  status,
                  "Resource CREATE failed: No valid host was found.",
                  Map.of()));
      case "NO_OUTPUTS" ->
          Optional.of(
              new StackState(
                  s.id, name, "CREATE_COMPLETE", "Stack CREATE completed successfully", Map.of()));
      default -> Optional.of(new StackState(s.id, name, status, status + " reason", Map.of()));
    };
  }

  private static Map<String, Object> outputsWhileInProgress() {
    Map<String, Object> out = new HashMap<>();
    out.put("nodes", null);
    return out;
  }

  @SuppressWarnings("unchecked")
  private List<Object> nodesOf(Stack s) {
    Map<String, Object> t =
        (Map<String, Object>) new Yaml(new SafeConstructor(new LoaderOptions())).load(s.template);
    Map<String, Object> resources = (Map<String, Object>) t.get("resources");
    List<Object> nodes = new ArrayList<>();
    for (int i = 0; resources.containsKey("node_" + i); i++) {
      Map<String, Object> props =
          (Map<String, Object>)
              ((Map<String, Object>) resources.get("node_" + i)).get("properties");
      String portId = s.name + "-port-" + i;
      ports.putIfAbsent(portId, new ArrayList<>());
      Map<String, Object> node = new LinkedHashMap<>();
      node.put("name", props.get("name"));
      node.put("server_id", s.name + "-server-" + i);
      node.put("port_id", portId);
      node.put("address", "10.0." + s.name.length() + "." + (10 + i));
      nodes.add(node);
    }
    return nodes;
  }

  final List<String> deletes = new java.util.concurrent.CopyOnWriteArrayList<>();

  @Override
  public void deleteStack(String name, String id) {
    deletes.add(name);
    stacks.remove(name);
  }

  @Override
  public String createStack(String name, String template, List<String> tags) {
    if (name.equals(raceOn)) {
      stacks.putIfAbsent(name, new Stack("other-" + name, name, template, tags));
    }
    Stack created = new Stack("id-" + name, name, template, tags);
    if (stacksVanish) {
      creates.incrementAndGet();
      return created.id;
    }
    if (stacks.putIfAbsent(name, created) != null) {
      throw new StackAlreadyExistsException(name);
    }
    creates.incrementAndGet();
    return created.id;
  }

  @Override
  public String consoleOutput(String serverId) {
    if (transientConsoleFailures > 0) {
      transientConsoleFailures--;
      throw new TransientFailure("OPENSTACK_UNAVAILABLE", "read console (HTTP 503): try later");
    }
    int reads = consoleReads.computeIfAbsent(serverId, k -> new AtomicInteger()).incrementAndGet();
    if (reads <= consoleReadsUntilKeys || silentConsoles.contains(serverId)) {
      return "[    0.000000] Linux version 5.15.0\n";
    }
    return "-----BEGIN SSH HOST KEY FINGERPRINTS-----\n256 SHA256:key-"
        + serverId
        + " root@x (ECDSA)\n-----END SSH HOST KEY FINGERPRINTS-----\n";
  }

  int consoleReadsOf(String serverId) {
    AtomicInteger reads = consoleReads.get(serverId);
    return reads == null ? 0 : reads.get();
  }

  /** The subnets of every network, as a cloud of one node network would answer. */
  final List<String> subnetLookups = new java.util.concurrent.CopyOnWriteArrayList<>();

  @Override
  public List<String> subnetCidrs(String network) {
    subnetLookups.add(network);
    return List.of("192.168.0.0/24");
  }

  @Override
  public NetworkPortState port(String portId) {
    List<AddressPair> pairs = ports.get(portId);
    if (pairs == null) {
      throw new TerminalFailure("PORT_NOT_FOUND", "port " + portId + " does not exist");
    }
    return new NetworkPortState(portId, "fa:16:3e:00:00:01", pairs, writesOf(portId));
  }

  @Override
  public void replaceAllowedAddressPairs(NetworkPortState read, List<AddressPair> pairs) {
    String portId = read.id();
    if (read.revisionNumber() != writesOf(portId)) {
      throw new TransientFailure(
          "PORT_CHANGED_CONCURRENTLY", "port " + portId + " changed since it was read");
    }
    if (flakyPortWrites.remove(portId)) {
      throw new TransientFailure(
          "OPENSTACK_UNAVAILABLE", "update port " + portId + " (HTTP 503): try later");
    }
    pairWrites.incrementAndGet();
    portWrites.computeIfAbsent(portId, k -> new AtomicInteger()).incrementAndGet();
    ports.put(portId, List.copyOf(pairs));
  }

  int writesOf(String portId) {
    AtomicInteger writes = portWrites.get(portId);
    return writes == null ? 0 : writes.get();
  }
}
