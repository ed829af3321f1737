package io.meshorch.mesh.application;

import io.meshorch.contracts.ClusterFailed;
import io.meshorch.contracts.ClusterSpec;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.EventType;
import io.meshorch.contracts.MeshEvent;
import io.meshorch.contracts.MeshRequested;
import io.meshorch.contracts.PortsUpdated;
import io.meshorch.contracts.StepStarted;
import io.meshorch.contracts.Topics;
import io.meshorch.kit.step.Plan;
import io.meshorch.testkit.MutableClock;
import io.meshorch.testkit.Samples;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A mesh of clusters east (id 1, 2 nodes) and west (id 2, 1 node) on a stateful fake, its events
 * stamped in causal order (request first), and a clock the tests move on.
 */
final class TestMesh {
  static final String MESH = "m1";
  static final ClusterSpec EAST = Samples.cluster("east", 1, 2);
  static final ClusterSpec WEST = Samples.cluster("west", 2, 1);
  static final Instant T0 = Instant.parse("2026-11-30T10:00:00Z");

  final FakeClusterMesh clusters = new FakeClusterMesh();
  final MutableClock clock = new MutableClock(T0.plusSeconds(60));
  private int sequence;

  TestMesh() {
    for (ClusterSpec spec : List.of(EAST, WEST)) {
      clusters.add(
          ref(spec.name()),
          spec.name(),
          Samples.nodes(MESH, spec).stream().map(n -> n.name()).toList());
    }
  }

  static String ref(String cluster) {
    return "meshes/" + MESH + "/clusters/" + cluster + "/kubeconfig";
  }

  static ClusterSpec spec(String cluster) {
    return cluster.equals("east") ? EAST : WEST;
  }

  /** The next event of the run, one second after the previous one. */
  private EventEnvelope next(String cluster, String producer, MeshEvent payload) {
    return new EventEnvelope(
        UUID.randomUUID(),
        EventType.of(payload).wireName(),
        MESH,
        cluster,
        UUID.randomUUID(),
        T0.plusSeconds(++sequence),
        producer,
        payload);
  }

  EventEnvelope request() {
    return next(null, "meshctl", new MeshRequested(List.of(EAST, WEST)));
  }

  EventEnvelope ports(String cluster) {
    ClusterSpec spec = spec(cluster);
    return next(
        cluster,
        "infra-service",
        new PortsUpdated(
            spec,
            Samples.nodes(MESH, spec),
            ref(cluster),
            "192.168.5" + spec.id() + ".10",
            2379,
            List.of("port-" + cluster)));
  }

  EventEnvelope clusterFailed(String cluster, boolean retryable) {
    return next(
        cluster,
        "cni-service",
        new ClusterFailed("cni", "CILIUM_NOT_READY", "DaemonSet cilium not ready", retryable));
  }

  /** The {@code StepStarted} the kit publishes for the step of {@code planned}. */
  static EventEnvelope stepStarted(Plan.Planned planned) {
    return EventEnvelope.create(
        MESH,
        planned.key().cluster(),
        planned.key().causationId(),
        "mesh-service",
        new StepStarted("mesh", Topics.INFRA, 0, 7));
  }

  /** The only step {@code plan} starts. */
  static Plan.Planned onlyStep(Plan plan) {
    if (!(plan instanceof Plan.Steps steps) || steps.steps().size() != 1) {
      throw new AssertionError("expected one step, found " + plan);
    }
    return steps.steps().get(0);
  }
}
