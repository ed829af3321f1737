package io.meshorch.infra.application;

import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.MeshDeleteRequested;
import io.meshorch.infra.domain.ClusterStack;
import io.meshorch.infra.domain.MeshFootprint;
import io.meshorch.infra.port.NetworkPort;
import io.meshorch.infra.port.OrchestrationPort;
import io.meshorch.kit.step.Plan;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a {@link MeshDeleteRequested} starts: one {@link DeleteVmsStep} per cluster of the mesh that
 * infra-service built and has not deleted since ({@link MeshFootprint}, rebuilt from its own
 * topic), named by the request's event ID and the cluster. Nothing for a mesh it does not know or
 * deleted already: mesh-service answers those.
 */
public final class MeshDeleteRequestedSteps {
  private static final Logger log = LoggerFactory.getLogger(MeshDeleteRequestedSteps.class);

  private final MeshFootprint footprint;
  private final OrchestrationPort orchestration;
  private final NetworkPort network;
  private final Duration deleteTimeout;

  public MeshDeleteRequestedSteps(
      MeshFootprint footprint,
      OrchestrationPort orchestration,
      NetworkPort network,
      Duration deleteTimeout) {
    this.footprint = footprint;
    this.orchestration = orchestration;
    this.network = network;
    this.deleteTimeout = deleteTimeout;
  }

  /** What {@code event} (a MeshDeleteRequested) starts; no call to the cloud. */
  public Plan plan(EventEnvelope event) {
    var clusters = footprint.liveClusters(event.meshId());
    if (clusters.isEmpty()) {
      log.info("mesh {}: no cluster of it is built here, nothing to delete", event.meshId());
      return Plan.nothing();
    }
    return Plan.steps(
        clusters.stream()
            .map(
                c ->
                    Plan.Planned.of(
                        event.eventId(),
                        c.name(),
                        () ->
                            new DeleteVmsStep(
                                new ClusterStack(event.meshId(), c.name()),
                                c.pairs(),
                                orchestration,
                                network,
                                deleteTimeout)))
            .toList());
  }
}
