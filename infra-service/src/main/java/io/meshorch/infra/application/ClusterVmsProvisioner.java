package io.meshorch.infra.application;

import io.meshorch.contracts.ClusterSpec;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.NodeInfo;
import io.meshorch.contracts.ProgressReported;
import io.meshorch.contracts.Stage;
import io.meshorch.contracts.VmsReady;
import io.meshorch.infra.domain.ClusterStack;
import io.meshorch.infra.domain.ConsoleFingerprints;
import io.meshorch.infra.domain.HeatTemplate;
import io.meshorch.infra.domain.StackAlreadyExistsException;
import io.meshorch.infra.domain.StackNode;
import io.meshorch.infra.domain.StackOutputs;
import io.meshorch.infra.domain.StackState;
import io.meshorch.infra.port.ComputePort;
import io.meshorch.infra.port.OrchestrationPort;
import io.meshorch.kit.failure.TerminalFailure;
import io.meshorch.kit.failure.TransientFailure;
import io.meshorch.kit.port.EventPublisherPort;
import io.meshorch.kit.retry.Retrier;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings up the VMs of one cluster and publishes {@link VmsReady}: ensures the Heat stack (look up
 * by name, create if absent, reuse when someone else created it meanwhile), waits for it, reads the
 * nodes from its outputs and their SSH host keys from the consoles. Converges on replay: an
 * existing complete stack is reused and the outcome published again.
 */
public final class ClusterVmsProvisioner {
  private static final Logger log = LoggerFactory.getLogger(ClusterVmsProvisioner.class);

  private final OrchestrationPort orchestration;
  private final ComputePort compute;
  private final EventPublisherPort publisher;
  private final Retrier retrier;
  private final VmsTimings timings;
  private final String producer;

  public ClusterVmsProvisioner(
      OrchestrationPort orchestration,
      ComputePort compute,
      EventPublisherPort publisher,
      Retrier retrier,
      VmsTimings timings,
      String producer) {
    this.orchestration = orchestration;
    this.compute = compute;
    this.publisher = publisher;
    this.retrier = retrier;
    this.timings = timings;
    this.producer = producer;
  }

  /** Runs the VM step of {@code cluster} for the request {@code request}, publishing VmsReady. */
  public void provision(EventEnvelope request, ClusterSpec cluster) {
    ClusterStack names = new ClusterStack(request.meshId(), cluster.name());
    publish(
        request,
        cluster,
        new ProgressReported(
            Stage.VMS,
            "ensuring Heat stack "
                + names.stackName()
                + " with "
                + cluster.nodeCount()
                + " node(s)"));
    StackState stack = awaitComplete(ensureStack(names, cluster));
    List<StackNode> nodes;
    try {
      nodes = StackOutputs.nodes(stack.outputs(), cluster.nodeCount());
    } catch (StackOutputs.InvalidStackOutput e) {
      throw new TerminalFailure(
          "HEAT_OUTPUT_INVALID", "stack " + stack.name() + ": " + e.getMessage(), e);
    }
    publish(
        request,
        cluster,
        new ProgressReported(
            Stage.VMS,
            "stack "
                + stack.name()
                + " complete, reading SSH host keys of "
                + nodes.size()
                + " server(s)"));
    List<NodeInfo> infos = withHostKeys(nodes);
    publish(request, cluster, new VmsReady(cluster, stack.id(), infos));
    log.info(
        "VMs of cluster {} ready: stack {} ({} nodes)", cluster.name(), stack.id(), infos.size());
  }

  private StackState ensureStack(ClusterStack names, ClusterSpec cluster) {
    String name = names.stackName();
    Optional<StackState> existing = find(name);
    if (existing.isPresent()) {
      log.info("reusing stack {} ({})", name, existing.get().status());
      return existing.get();
    }
    String template = HeatTemplate.render(names, cluster);
    try {
      String id =
          retrier.call(
              "create stack " + name,
              () -> orchestration.createStack(name, template, List.of(names.meshTag())));
      log.info("created stack {} ({})", name, id);
    } catch (StackAlreadyExistsException e) {
      log.info("stack {} was created concurrently, reusing it", name);
    }
    return find(name)
        .orElseThrow(
            () ->
                new TransientFailure(
                    "HEAT_STACK_MISSING", "stack " + name + " vanished right after its creation"));
  }

  private Optional<StackState> find(String name) {
    return retrier.call("read stack " + name, () -> orchestration.findStack(name));
  }

  private StackState awaitComplete(StackState first) {
    Instant deadline = Instant.now().plus(timings.stackTimeout());
    StackState stack = first;
    while (true) {
      if (stack.complete()) {
        return stack;
      }
      if (stack.failed()) {
        throw new TerminalFailure(
            "HEAT_STACK_FAILED",
            "stack " + stack.name() + " is " + stack.status() + ": " + stack.statusReason());
      }
      if (stack.deleting()) {
        throw new TransientFailure(
            "HEAT_STACK_DELETING",
            "stack " + stack.name() + " is being deleted (" + stack.status() + "); retry later");
      }
      if (Instant.now().isAfter(deadline)) {
        throw new TransientFailure(
            "HEAT_STACK_TIMEOUT",
            "stack "
                + stack.name()
                + " still "
                + stack.status()
                + " after "
                + timings.stackTimeout().toSeconds()
                + " s");
      }
      pause(timings.stackPollInterval());
      String name = stack.name();
      stack =
          find(name)
              .orElseThrow(
                  () ->
                      new TransientFailure(
                          "HEAT_STACK_MISSING", "stack " + name + " disappeared while creating"));
    }
  }

  private List<NodeInfo> withHostKeys(List<StackNode> nodes) {
    Instant deadline = Instant.now().plus(timings.consoleTimeout());
    List<NodeInfo> out = new ArrayList<>();
    for (StackNode node : nodes) {
      out.add(
          new NodeInfo(
              node.name(),
              node.serverId(),
              node.portId(),
              node.address(),
              hostKeys(node, deadline)));
    }
    return out;
  }

  private List<String> hostKeys(StackNode node, Instant deadline) {
    while (true) {
      String console =
          retrier.call(
              "read console of " + node.name(), () -> compute.consoleOutput(node.serverId()));
      Optional<List<String>> keys = ConsoleFingerprints.parse(console);
      if (keys.isPresent()) {
        return keys.get();
      }
      if (Instant.now().isAfter(deadline)) {
        log.warn(
            "no SSH host keys on the console of {} ({}) within {} s; reporting none",
            node.name(),
            node.serverId(),
            timings.consoleTimeout().toSeconds());
        return List.of();
      }
      pause(timings.consolePollInterval());
    }
  }

  private void publish(
      EventEnvelope request, ClusterSpec cluster, io.meshorch.contracts.MeshEvent payload) {
    publisher.publish(
        EventEnvelope.create(
            request.meshId(), cluster.name(), request.eventId(), producer, payload));
  }

  private static void pause(Duration pause) {
    try {
      Thread.sleep(pause.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TransientFailure("INTERRUPTED", "interrupted while waiting for the stack", e);
    }
  }
}
