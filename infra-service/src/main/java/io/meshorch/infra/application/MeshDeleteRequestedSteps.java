package io.meshorch.infra.application;

import io.meshorch.contracts.ClusterDeleted;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.MeshDeleteRequested;
import io.meshorch.contracts.Stage;
import io.meshorch.infra.domain.ClusterStack;
import io.meshorch.infra.domain.MeshFootprint;
import io.meshorch.infra.port.NetworkPort;
import io.meshorch.infra.port.OrchestrationPort;
import io.meshorch.kit.step.Next;
import io.meshorch.kit.step.Plan;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a {@link MeshDeleteRequested} starts: one {@link DeleteVmsStep} per cluster of the mesh that
 * infra-service built and has not deleted since ({@link MeshFootprint}, rebuilt from its own
 * topic), named by the request's event ID and the cluster. Nothing for a mesh it does not know or
 * deleted already: mesh-service answers those.
 *
 * <p>A request naming clusters ({@code up --prune}) deletes only those: a step per named cluster
 * built here, and for a named cluster not built here (or deleted already) an empty {@link
 * ClusterDeleted} part {@code vms} at once, so that rke-service still ends the cluster with its
 * last part and the deletion of every named cluster gets an answer, also when it is asked again.
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
    List<String> named = ((MeshDeleteRequested) event.payload()).clusters();
    if (named != null) {
      return some(event, named);
    }
    var clusters = footprint.liveClusters(event.meshId());
    if (clusters.isEmpty()) {
      log.info("mesh {}: no cluster of it is built here, nothing to delete", event.meshId());
      return Plan.nothing();
    }
    return Plan.steps(
        clusters.stream()
            .map(
                c ->
                    Plan.Planned.of(event.eventId(), c.name(), () -> deleteStep(event.meshId(), c)))
            .toList());
  }

  private Plan some(EventEnvelope event, List<String> named) {
    Map<String, MeshFootprint.LiveCluster> live =
        footprint.liveClusters(event.meshId()).stream()
            .collect(Collectors.toMap(MeshFootprint.LiveCluster::name, Function.identity()));
    log.info("mesh {}: deleting cluster(s) {}", event.meshId(), named);
    return Plan.steps(
        named.stream()
            .distinct()
            .map(
                name ->
                    Plan.Planned.of(
                        event.eventId(),
                        name,
                        () ->
                            live.containsKey(name)
                                ? deleteStep(event.meshId(), live.get(name))
                                : ctx -> Next.done(new ClusterDeleted(Stage.VMS, List.of()))))
            .toList());
  }

  private DeleteVmsStep deleteStep(String meshId, MeshFootprint.LiveCluster cluster) {
    return new DeleteVmsStep(
        new ClusterStack(meshId, cluster.name()),
        cluster.pairs(),
        orchestration,
        network,
        deleteTimeout);
  }
}
