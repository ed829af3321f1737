package io.meshorch.mesh.domain;

import io.meshorch.contracts.ClusterFailed;
import io.meshorch.contracts.ClusterSpec;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.EventType;
import io.meshorch.contracts.MeshEvent;
import io.meshorch.contracts.MeshFailed;
import io.meshorch.contracts.MeshReady;
import io.meshorch.contracts.MeshRejected;
import io.meshorch.contracts.MeshRequested;
import io.meshorch.contracts.PortsUpdated;
import io.meshorch.contracts.Violation;
import io.meshorch.testkit.Samples;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Sample events of a mesh of clusters east (id 1, 2 nodes) and west (id 2, 2 nodes). */
final class Events {
  static final String MESH = "m1";
  static final ClusterSpec EAST = Samples.cluster("east", 1, 2);
  static final ClusterSpec WEST = Samples.cluster("west", 2, 2);

  private Events() {}

  /** When the first run's request happened; its facts follow in causal order. */
  static final Instant T0 = Instant.parse("2026-11-25T00:00:00Z");

  static EventEnvelope envelope(String cluster, String producer, MeshEvent payload) {
    return at(T0.plusSeconds(rank(payload)), cluster, producer, payload);
  }

  static EventEnvelope at(Instant when, String cluster, String producer, MeshEvent payload) {
    return new EventEnvelope(
        UUID.randomUUID(),
        EventType.of(payload).wireName(),
        MESH,
        cluster,
        UUID.randomUUID(),
        when,
        producer,
        payload);
  }

  /** Causal order of a run: request, rejection, cluster facts, outcome. */
  private static long rank(MeshEvent payload) {
    if (payload instanceof MeshRequested) {
      return 0;
    }
    if (payload instanceof MeshRejected) {
      return 1;
    }
    if (payload instanceof MeshReady || payload instanceof MeshFailed) {
      return 3;
    }
    return 2;
  }

  /** A second run of the same mesh ID, requested after the first one ended. */
  static EventEnvelope requestedAgain() {
    return at(T0.plusSeconds(10), null, "meshctl", new MeshRequested(List.of(EAST, WEST)));
  }

  static EventEnvelope portsAgain(String cluster) {
    return at(T0.plusSeconds(11), cluster, "infra-service", portsUpdated(cluster));
  }

  static EventEnvelope failedAgain() {
    return at(
        T0.plusSeconds(12),
        "west",
        "cni-service",
        new ClusterFailed("cni", "CILIUM_NOT_READY", "cilium not ready on west", true));
  }

  static EventEnvelope requested() {
    return envelope(null, "meshctl", new MeshRequested(List.of(EAST, WEST)));
  }

  static EventEnvelope invalidRequest() {
    return envelope(null, "meshctl", new MeshRequested(List.of(EAST, EAST)));
  }

  static EventEnvelope rejected() {
    return envelope(
        null, "infra-service", new MeshRejected(List.of(new Violation("clusters", "bad"))));
  }

  static ClusterSpec spec(String cluster) {
    return cluster.equals("east") ? EAST : WEST;
  }

  static PortsUpdated portsUpdated(String cluster) {
    ClusterSpec spec = spec(cluster);
    return new PortsUpdated(
        spec,
        Samples.nodes(MESH, spec),
        "meshes/" + MESH + "/clusters/" + cluster + "/kubeconfig",
        "192.168.5" + spec.id() + ".10",
        2379,
        List.of("port-" + cluster));
  }

  static EventEnvelope ports(String cluster) {
    return envelope(cluster, "infra-service", portsUpdated(cluster));
  }

  static EventEnvelope clusterFailed(String cluster) {
    return envelope(
        cluster,
        "rke-service",
        new ClusterFailed("kubernetes", "RKE_UP_FAILED", "rke up failed on " + cluster, true));
  }

  static EventEnvelope meshReady() {
    return envelope(null, "mesh-service", new MeshReady(List.of()));
  }

  static EventEnvelope meshFailed() {
    return envelope(null, "mesh-service", new MeshFailed("mesh", "east", "X", "y", false));
  }
}
