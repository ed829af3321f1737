package io.meshorch.infra.application;

import io.meshorch.contracts.ClusterDeleted;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.PortsUpdated;
import io.meshorch.contracts.Stage;
import io.meshorch.contracts.StepStarted;
import io.meshorch.infra.domain.MeshFootprint;
import io.meshorch.kit.step.OwnTopicObserver;

/**
 * Keeps {@link MeshFootprint} from infra-service's own events (live and replayed): a VM step
 * started builds a cluster, {@link PortsUpdated} records the pairs added, {@link ClusterDeleted}
 * deletes the cluster.
 */
public final class FootprintObserver implements OwnTopicObserver {
  private final MeshFootprint footprint;

  public FootprintObserver(MeshFootprint footprint) {
    this.footprint = footprint;
  }

  @Override
  public void observe(EventEnvelope published) {
    String cluster = published.cluster();
    if (cluster == null) {
      return;
    }
    if (published.payload() instanceof StepStarted s && s.stage().equals(Stage.VMS)) {
      footprint.built(published.meshId(), cluster, published.occurredAt());
    } else if (published.payload() instanceof PortsUpdated p) {
      footprint.pairsAdded(
          published.meshId(),
          cluster,
          new MeshFootprint.AddedPairs(p.meshEndpointIp(), p.portIds()),
          published.occurredAt());
    } else if (published.payload() instanceof ClusterDeleted) {
      footprint.deleted(published.meshId(), cluster, published.occurredAt());
    }
  }
}
