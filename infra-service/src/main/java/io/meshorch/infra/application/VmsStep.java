package io.meshorch.infra.application;

import io.meshorch.contracts.ClusterSpec;
import io.meshorch.contracts.KubernetesSpec;
import io.meshorch.contracts.NodeInfo;
import io.meshorch.contracts.VmsReady;
import io.meshorch.infra.domain.CloudConfig;
import io.meshorch.infra.domain.ClusterStack;
import io.meshorch.infra.domain.ConsoleFingerprints;
import io.meshorch.infra.domain.HeatTemplate;
import io.meshorch.infra.domain.StackAlreadyExistsException;
import io.meshorch.infra.domain.StackInputs;
import io.meshorch.infra.domain.StackNode;
import io.meshorch.infra.domain.StackOutputs;
import io.meshorch.infra.domain.StackState;
import io.meshorch.infra.port.ComputePort;
import io.meshorch.infra.port.NetworkPort;
import io.meshorch.infra.port.OrchestrationPort;
import io.meshorch.kit.failure.TerminalFailure;
import io.meshorch.kit.failure.TransientFailure;
import io.meshorch.kit.step.Next;
import io.meshorch.kit.step.Step;
import io.meshorch.kit.step.StepContext;
import io.meshorch.kit.step.Wait;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The VM step of one cluster, as a reconciler: each call looks at the cluster's Heat stack and does
 * the next piece. Ensures the stack (looked up by name, created when absent, reused when someone
 * else created it meanwhile), waits for CREATE_COMPLETE, reads the nodes from the stack's outputs,
 * then reads each server's console until cloud-init printed its SSH host-key fingerprints, and ends
 * with {@link VmsReady}. Past {@code mesh.vms.console-timeout} it ends without fingerprints for the
 * nodes still lacking them (rke-service then falls back to its known_hosts).
 *
 * <p>Converges when created afresh for the same request (a redelivery or a resumed step): the stack
 * is found by its deterministic name and reused, never created twice.
 */
public final class VmsStep implements Step {
  private static final Logger log = LoggerFactory.getLogger(VmsStep.class);

  private final ClusterSpec cluster;
  private final ClusterStack names;
  private final OrchestrationPort orchestration;
  private final ComputePort compute;
  private final NetworkPort network;
  private final List<String> meshNetworks;
  private final NodeSetup setup;
  private final VmsTimings timings;
  private final Clock clock;
  private final Wait stackWait;
  private final Wait replaceWait;
  private final Wait consoleWait;

  // what the step learnt so far; a fresh step learns it again by looking
  private boolean announced;
  private boolean createdHere;
  // deleting a CREATE_FAILED stack of an earlier run, to create it again
  private boolean replacing;
  private String stackId;
  private List<StackNode> nodes;
  private Instant consoleDeadline;
  private final Map<String, List<String>> hostKeys = new HashMap<>();

  /**
   * The subnet CIDRs of each mesh network, once read: a call held back by the cloud's rate limit
   * ends the call of the step, and the next one goes on from what was read before.
   */
  private final Map<String, List<String>> subnetCidrs = new HashMap<>();

  /**
   * @param meshId the mesh the cluster belongs to
   * @param cluster the (validated) cluster spec
   * @param meshNetworks the {@code machine.network} of every cluster of the mesh: the security
   *     group opens the mesh's ports to their subnets
   * @param setup the user data and orchestrator CIDRs from configuration
   * @param clock the clock of the console deadline
   */
  public VmsStep(
      String meshId,
      ClusterSpec cluster,
      List<String> meshNetworks,
      OrchestrationPort orchestration,
      ComputePort compute,
      NetworkPort network,
      NodeSetup setup,
      VmsTimings timings,
      Clock clock) {
    this.cluster = cluster;
    this.names = new ClusterStack(meshId, cluster.name());
    this.orchestration = orchestration;
    this.compute = compute;
    this.network = network;
    this.meshNetworks = meshNetworks.stream().distinct().sorted().toList();
    this.setup = setup;
    this.timings = timings;
    this.clock = clock;
    this.stackWait =
        Wait.of(
            "Heat stack CREATE_COMPLETE",
            timings.stackTimeout(),
            "HEAT_STACK_TIMEOUT",
            "mesh.vms.stack-timeout");
    this.replaceWait =
        Wait.of(
            "failed Heat stack deleted",
            timings.stackTimeout(),
            "HEAT_STACK_TIMEOUT",
            "mesh.vms.stack-timeout");
    this.consoleWait =
        Wait.of(
            "SSH host keys on the server consoles",
            timings.consoleSafetyNet(),
            "VMS_TIMEOUT",
            "mesh.vms.console-timeout");
  }

  @Override
  public Next advance(StepContext ctx) {
    if (!announced) {
      ctx.progress(
          "ensuring Heat stack " + names.stackName() + " with " + cluster.nodeCount() + " node(s)");
      announced = true;
    }
    return nodes == null ? advanceStack(ctx) : advanceConsoles();
  }

  private Next advanceStack(StepContext ctx) {
    String name = names.stackName();
    Optional<StackState> found = orchestration.findStack(name);
    if (found.isEmpty()) {
      if (replacing) {
        replacing = false;
        stackId = null;
      }
      if (stackId != null) {
        throw new TransientFailure(
            "HEAT_STACK_MISSING",
            "stack " + name + " (" + stackId + ") disappeared while creating");
      }
      create(name);
      return Next.again();
    }
    StackState stack = found.get();
    if (stackId == null && !createdHere) {
      log.info("reusing stack {} ({})", name, stack.status());
    }
    stackId = stack.id();
    if (stack.complete()) {
      nodes = nodesOf(stack);
      consoleDeadline = clock.instant().plus(timings.consoleTimeout());
      ctx.progress(
          "stack " + name + " complete, reading SSH host keys of " + nodes.size() + " server(s)");
      return Next.again();
    }
    if (stack.status().equals("CREATE_FAILED") && !createdHere && !replacing) {
      // Left by an earlier run (e.g. over the quota then, raised since): this run starts afresh.
      ctx.progress(
          "stack "
              + name
              + " is CREATE_FAILED from an earlier run ("
              + stack.statusReason()
              + "): deleting it to create it again");
      orchestration.deleteStack(name, stack.id());
      replacing = true;
      return Next.waitFor(replaceWait, "stack " + name + " is being deleted to be created again");
    }
    if (stack.failed()) {
      String reason = stack.statusReason() == null ? "" : stack.statusReason();
      throw new TerminalFailure(
          reason.contains("Quota exceeded") ? "QUOTA_EXCEEDED" : "HEAT_STACK_FAILED",
          "stack " + name + " is " + stack.status() + ": " + reason);
    }
    if (stack.deleting() && replacing) {
      return Next.waitFor(replaceWait, "stack " + name + " is " + stack.status());
    }
    if (stack.deleting()) {
      throw new TransientFailure(
          "HEAT_STACK_DELETING",
          "stack " + name + " is being deleted (" + stack.status() + "); retry later");
    }
    return Next.waitFor(stackWait, "stack " + name + " is " + stack.status());
  }

  private void create(String name) {
    String template = HeatTemplate.render(names, cluster, inputs());
    try {
      stackId = orchestration.createStack(name, template, List.of(names.meshTag()));
      createdHere = true;
      log.info("created stack {} ({})", name, stackId);
    } catch (StackAlreadyExistsException e) {
      log.info("stack {} was created concurrently, reusing it", name);
    }
  }

  /**
   * The user data and the security group's prefixes. The subnets are looked up only when the stack
   * creates its own group (no {@code machine.securityGroups}).
   */
  private StackInputs inputs() {
    String userData =
        setup
            .userData()
            .orElseGet(
                () ->
                    CloudConfig.render(
                        cluster.machine().sshUser(),
                        // RKE2 brings containerd: its nodes need no Docker.
                        cluster.kubernetes() == null
                            || !KubernetesSpec.RKE2.equals(cluster.kubernetes().distribution())));
    List<String> groups = cluster.machine().securityGroups();
    if (groups != null && !groups.isEmpty()) {
      return new StackInputs(userData, List.of(), List.of());
    }
    List<String> cidrs = new ArrayList<>();
    for (String net : meshNetworks) {
      subnetCidrs.computeIfAbsent(net, network::subnetCidrs).stream()
          .filter(c -> !cidrs.contains(c))
          .forEach(cidrs::add);
    }
    return new StackInputs(userData, cidrs, setup.orchestratorCidrs());
  }

  private List<StackNode> nodesOf(StackState stack) {
    try {
      return StackOutputs.nodes(stack.outputs(), cluster.nodeCount());
    } catch (StackOutputs.InvalidStackOutput e) {
      throw new TerminalFailure(
          "HEAT_OUTPUT_INVALID", "stack " + stack.name() + ": " + e.getMessage(), e);
    }
  }

  private Next advanceConsoles() {
    for (StackNode node : nodes) {
      if (!hostKeys.containsKey(node.serverId())) {
        ConsoleFingerprints.parse(compute.consoleOutput(node.serverId()))
            .ifPresent(keys -> hostKeys.put(node.serverId(), keys));
      }
    }
    List<StackNode> lacking =
        nodes.stream().filter(n -> !hostKeys.containsKey(n.serverId())).toList();
    if (lacking.isEmpty()) {
      return ready();
    }
    if (!clock.instant().isBefore(consoleDeadline)) {
      for (StackNode node : lacking) {
        log.warn(
            "no SSH host keys on the console of {} ({}) within {} s; reporting none",
            node.name(),
            node.serverId(),
            timings.consoleTimeout().toSeconds());
      }
      return ready();
    }
    return Next.waitFor(
        consoleWait,
        lacking.size()
            + " of "
            + nodes.size()
            + " server(s) of stack "
            + names.stackName()
            + " without SSH host keys on the console");
  }

  private Next ready() {
    List<NodeInfo> infos =
        nodes.stream()
            .map(
                n ->
                    new NodeInfo(
                        n.name(),
                        n.serverId(),
                        n.portId(),
                        n.address(),
                        hostKeys.getOrDefault(n.serverId(), List.of())))
            .toList();
    log.info("VMs of cluster {} ready: stack {} ({} nodes)", cluster.name(), stackId, infos.size());
    return Next.done(new VmsReady(cluster, stackId, infos));
  }
}
