package io.meshorch.infra.application;

import io.meshorch.contracts.ClusterSpec;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.MeshRejected;
import io.meshorch.contracts.MeshRequested;
import io.meshorch.contracts.Violation;
import io.meshorch.contracts.validation.MeshRequestValidator;
import io.meshorch.infra.port.ComputePort;
import io.meshorch.infra.port.NetworkPort;
import io.meshorch.infra.port.OrchestrationPort;
import io.meshorch.kit.step.Plan;
import java.time.Clock;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Step 1 of the flow, what a {@link MeshRequested} starts: an invalid request is answered with
 * {@link MeshRejected} (every violation the validator reports) and nothing is created; a valid one
 * starts one {@link VmsStep} per cluster, named by the request's event ID and the cluster's name.
 * The kit runs these steps side by side, so a failing or slow cluster holds back no other.
 */
public final class MeshRequestedSteps {
  private static final Logger log = LoggerFactory.getLogger(MeshRequestedSteps.class);

  private final MeshRequestValidator validator;
  private final OrchestrationPort orchestration;
  private final ComputePort compute;
  private final NetworkPort network;
  private final NodeSetup setup;
  private final VmsTimings timings;
  private final Clock clock;

  public MeshRequestedSteps(
      MeshRequestValidator validator,
      OrchestrationPort orchestration,
      ComputePort compute,
      NetworkPort network,
      NodeSetup setup,
      VmsTimings timings,
      Clock clock) {
    this.validator = validator;
    this.orchestration = orchestration;
    this.compute = compute;
    this.network = network;
    this.setup = setup;
    this.timings = timings;
    this.clock = clock;
  }

  /**
   * What {@code event} (a MeshRequested) starts. Pure apart from logging: validation only, no call
   * to the cloud, so it runs on the consumer thread and decides the same way every time.
   */
  public Plan plan(EventEnvelope event) {
    MeshRequested request = (MeshRequested) event.payload();
    List<Violation> violations = validator.validate(event.meshId(), request);
    if (!violations.isEmpty()) {
      log.info("rejecting mesh {}: {} violation(s)", event.meshId(), violations.size());
      return Plan.answer(new MeshRejected(violations));
    }
    List<String> networks =
        request.clusters().stream().map(c -> c.machine().network()).distinct().toList();
    return Plan.steps(
        request.clusters().stream()
            .map(
                cluster ->
                    Plan.Planned.of(
                        event.eventId(),
                        cluster.name(),
                        () -> step(event.meshId(), cluster, networks)))
            .toList());
  }

  /** A fresh VM step for {@code cluster} of mesh {@code meshId}, alone in its mesh. */
  public VmsStep step(String meshId, ClusterSpec cluster) {
    return step(meshId, cluster, List.of(cluster.machine().network()));
  }

  /**
   * A fresh VM step for {@code cluster} of mesh {@code meshId} whose clusters use {@code
   * meshNetworks}.
   */
  public VmsStep step(String meshId, ClusterSpec cluster, List<String> meshNetworks) {
    return new VmsStep(
        meshId, cluster, meshNetworks, orchestration, compute, network, setup, timings, clock);
  }
}
