package io.meshorch.infra.application;

import io.meshorch.contracts.ClusterDeleted;
import io.meshorch.contracts.Stage;
import io.meshorch.infra.domain.AddressPair;
import io.meshorch.infra.domain.ClusterStack;
import io.meshorch.infra.domain.MeshFootprint;
import io.meshorch.infra.domain.NetworkPortState;
import io.meshorch.infra.domain.StackState;
import io.meshorch.infra.port.NetworkPort;
import io.meshorch.infra.port.OrchestrationPort;
import io.meshorch.kit.failure.StepFailure;
import io.meshorch.kit.failure.TransientFailure;
import io.meshorch.kit.step.Next;
import io.meshorch.kit.step.Step;
import io.meshorch.kit.step.StepContext;
import io.meshorch.kit.step.Wait;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes infra-service's part of one cluster of a mesh being deleted, then ends with {@link
 * ClusterDeleted} (part {@code vms}) listing what it deleted. In order, each a look before an act:
 *
 * <ol>
 *   <li>cancels the service's build steps of the cluster (VM and ports steps) and waits until they
 *       ended, so none creates what is being deleted;
 *   <li>while the stack exists and is not being deleted: removes the mesh endpoint IP it added from
 *       the allowed-address pairs of the cluster's ports (other pairs stay), so that a delete that
 *       fails half-way leaves no stale pair;
 *   <li>deletes the Heat stack and waits (re-checks, no thread held) until Heat no longer finds it
 *       by name. A stack that does not exist is deleted already. {@code DELETE_FAILED} is a
 *       transient failure with Heat's {@code stack_status_reason}: the kit calls the step again
 *       after its back-off and the delete is asked again, up to {@code mesh.service.step-retry
 *       .attempts} times, then {@code ClusterFailed} (stage {@code delete}, {@code
 *       HEAT_STACK_DELETE_FAILED}, retryable).
 * </ol>
 *
 * A step created afresh (resumed after a restart) converges: pairs already removed are not written
 * again, a stack being deleted is only awaited, a stack gone is reported.
 */
public final class DeleteVmsStep implements Step {
  private static final Logger log = LoggerFactory.getLogger(DeleteVmsStep.class);

  private final ClusterStack names;
  private final Optional<MeshFootprint.AddedPairs> pairs;
  private final OrchestrationPort orchestration;
  private final NetworkPort network;
  private final Wait othersWait;
  private final Wait deleteWait;
  private final List<ClusterDeleted.Resource> deleted = new ArrayList<>();
  private final Set<String> portsDone = new HashSet<>();
  private boolean othersStopped;
  private String deleteAskedOf;
  private boolean failureReported;

  /**
   * @param names the cluster's stack name
   * @param pairs the pairs infra-service added for the cluster, if any
   * @param deleteTimeout how long Heat may take to delete the stack
   */
  public DeleteVmsStep(
      ClusterStack names,
      Optional<MeshFootprint.AddedPairs> pairs,
      OrchestrationPort orchestration,
      NetworkPort network,
      Duration deleteTimeout) {
    this.names = names;
    this.pairs = pairs;
    this.orchestration = orchestration;
    this.network = network;
    this.othersWait =
        Wait.of(
            "build steps of the cluster to stop",
            Duration.ofMinutes(2),
            "BUILD_STEPS_NOT_STOPPED",
            "the build steps' call timeouts (mesh.openstack.read-timeout)");
    this.deleteWait =
        Wait.of(
            "Heat stack deleted",
            deleteTimeout,
            "HEAT_STACK_DELETE_TIMEOUT",
            "mesh.vms.stack-timeout");
  }

  @Override
  public Next advance(StepContext ctx) {
    if (!othersStopped) {
      int left =
          ctx.cancelOtherSteps("mesh " + names.meshId() + " is being deleted (meshctl down)");
      if (left > 0) {
        return Next.waitFor(othersWait, left + " build step(s) of the cluster still running");
      }
      othersStopped = true;
      ctx.progress("deleting Heat stack " + names.stackName());
    }
    String name = names.stackName();
    Optional<StackState> found = orchestration.findStack(name);
    if (found.isEmpty()) {
      if (deleteAskedOf == null) {
        log.info("stack {} does not exist: deleted already", name);
      }
      return Next.done(new ClusterDeleted(Stage.VMS, deleted));
    }
    StackState stack = found.get();
    if (stack.status().equals("DELETE_IN_PROGRESS")) {
      if (deleteAskedOf == null) {
        // asked before a restart, or by someone else: it is being deleted for this mesh all the
        // same
        deleted.add(new ClusterDeleted.Resource("heat-stack", name + " (" + stack.id() + ")"));
        deleteAskedOf = stack.id();
      }
      return Next.waitFor(deleteWait, "stack " + name + " is DELETE_IN_PROGRESS");
    }
    if (stack.status().equals("DELETE_FAILED") && !failureReported) {
      // Report it to the kit (which counts and backs off), and ask again on the next call.
      failureReported = true;
      throw new TransientFailure(
          "HEAT_STACK_DELETE_FAILED",
          "Heat could not delete stack " + name + ": " + stack.statusReason());
    }
    if (!stack.deleting()) {
      removeAddedPairs();
    }
    orchestration.deleteStack(name, stack.id());
    failureReported = false;
    if (deleteAskedOf == null) {
      deleted.add(new ClusterDeleted.Resource("heat-stack", name + " (" + stack.id() + ")"));
    }
    deleteAskedOf = stack.id();
    return Next.waitFor(deleteWait, "asked Heat to delete stack " + name);
  }

  private void removeAddedPairs() {
    if (pairs.isEmpty()) {
      return;
    }
    String ip = pairs.get().ip();
    for (String portId : pairs.get().portIds()) {
      if (portsDone.contains(portId)) {
        continue;
      }
      NetworkPortState port;
      try {
        port = network.port(portId);
      } catch (StepFailure e) {
        if (!"PORT_NOT_FOUND".equals(e.code())) {
          throw e;
        }
        portsDone.add(portId);
        continue;
      }
      List<AddressPair> kept =
          port.allowedAddressPairs().stream().filter(p -> !p.ipAddress().equals(ip)).toList();
      if (kept.size() != port.allowedAddressPairs().size()) {
        network.replaceAllowedAddressPairs(port, kept);
        deleted.add(new ClusterDeleted.Resource("address-pair", ip + " on port " + portId));
        log.info("port {} no longer allows {}", portId, ip);
      }
      portsDone.add(portId);
    }
  }
}
