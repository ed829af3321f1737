package io.meshorch.infra.application;

import io.meshorch.contracts.PortsUpdated;
import io.meshorch.infra.domain.ClusterStack;
import io.meshorch.infra.domain.StackState;
import io.meshorch.infra.port.OrchestrationPort;
import io.meshorch.kit.step.Next;
import io.meshorch.kit.step.Step;
import io.meshorch.kit.step.StepContext;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The VM step of a cluster that a request asks for unchanged: infra-service built it for the same
 * spec and ended its build with {@link PortsUpdated} (its own last event of the cluster, see {@code
 * MeshFootprint}), and has not deleted it since. If its Heat stack is still there and complete, the
 * step ends at once with that {@code PortsUpdated} again, as the answer of the new request: nothing
 * is created or updated, no {@code VmsReady} goes out, so rke-, cni- and lb-service are not asked
 * to do anything for the cluster, and mesh-service counts it in the new run. This is how {@code up}
 * with an added cluster leaves the existing ones alone. A stack that is gone (e.g. a sandbox that
 * restarted), or in any other state, is not trusted: the step goes on as a fresh {@link VmsStep},
 * and the cluster's whole build runs again.
 */
public final class KeptClusterStep implements Step {
  private static final Logger log = LoggerFactory.getLogger(KeptClusterStep.class);

  private final ClusterStack names;
  private final PortsUpdated lastPorted;
  private final OrchestrationPort orchestration;
  private final Supplier<VmsStep> rebuild;
  private VmsStep fallback;

  /**
   * @param names the cluster's stack name
   * @param lastPorted infra-service's last {@code PortsUpdated} of the cluster, for the same spec
   * @param rebuild the VM step to run instead when the stack is not as it was left
   */
  public KeptClusterStep(
      ClusterStack names,
      PortsUpdated lastPorted,
      OrchestrationPort orchestration,
      Supplier<VmsStep> rebuild) {
    this.names = names;
    this.lastPorted = lastPorted;
    this.orchestration = orchestration;
    this.rebuild = rebuild;
  }

  @Override
  public Next advance(StepContext ctx) {
    if (fallback != null) {
      return fallback.advance(ctx);
    }
    Optional<StackState> stack = orchestration.findStack(names.stackName());
    if (stack.isPresent() && stack.get().complete()) {
      log.info(
          "cluster {} of mesh {} is built for this spec already (stack {}): nothing to do",
          names.cluster(),
          names.meshId(),
          names.stackName());
      ctx.progress(
          "cluster unchanged: stack "
              + names.stackName()
              + " is "
              + stack.get().status()
              + ", the cluster is built for this spec already; nothing to do");
      return Next.done(lastPorted);
    }
    log.info(
        "cluster {} of mesh {}: stack {} is {}, building the cluster again",
        names.cluster(),
        names.meshId(),
        names.stackName(),
        stack.map(StackState::status).orElse("gone"));
    fallback = rebuild.get();
    return fallback.advance(ctx);
  }
}
