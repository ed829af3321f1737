package io.meshorch.contracts;

import java.util.Arrays;
import java.util.Optional;

/**
 * The registry of logical, versioned wire types. The wire never carries a Java class name: a
 * consumer maps the {@code type} field (and the {@link Topics#TYPE_HEADER} header) to a class
 * through this table only.
 *
 * <p>Adding an optional field keeps the version; a rename, removal or change of meaning is a new
 * {@code .v2} constant published beside v1 until every consumer moved.
 */
public enum EventType {
  MESH_REQUESTED("mesh.MeshRequested.v1", MeshRequested.class, Topics.REQUESTS),
  MESH_REJECTED("mesh.MeshRejected.v1", MeshRejected.class, Topics.INFRA),
  PROGRESS_REPORTED("mesh.ProgressReported.v1", ProgressReported.class, null),
  STEP_STARTED("mesh.StepStarted.v1", StepStarted.class, null),
  VMS_READY("mesh.VmsReady.v1", VmsReady.class, Topics.INFRA),
  CLUSTER_UP("mesh.ClusterUp.v1", ClusterUp.class, Topics.RKE),
  CILIUM_READY("mesh.CiliumReady.v1", CiliumReady.class, Topics.CNI),
  LB_IP_ASSIGNED("mesh.LbIpAssigned.v1", LbIpAssigned.class, Topics.LB),
  PORTS_UPDATED("mesh.PortsUpdated.v1", PortsUpdated.class, Topics.INFRA),
  CLUSTER_FAILED("mesh.ClusterFailed.v1", ClusterFailed.class, null),
  MESH_READY("mesh.MeshReady.v1", MeshReady.class, Topics.MESH),
  MESH_FAILED("mesh.MeshFailed.v1", MeshFailed.class, Topics.MESH),
  MESH_DELETE_REQUESTED("mesh.MeshDeleteRequested.v1", MeshDeleteRequested.class, Topics.REQUESTS),
  CLUSTER_DELETED("mesh.ClusterDeleted.v1", ClusterDeleted.class, null),
  MESH_DELETED("mesh.MeshDeleted.v1", MeshDeleted.class, Topics.MESH);

  private final String wireName;
  private final Class<? extends MeshEvent> payloadClass;
  private final String topic;

  EventType(String wireName, Class<? extends MeshEvent> payloadClass, String topic) {
    this.wireName = wireName;
    this.payloadClass = payloadClass;
    this.topic = topic;
  }

  /** The logical type on the wire, e.g. {@code mesh.VmsReady.v1}. */
  public String wireName() {
    return wireName;
  }

  public Class<? extends MeshEvent> payloadClass() {
    return payloadClass;
  }

  /**
   * The one topic this type is published on, or empty when every service may publish it on its own
   * topic (progress, cluster failures and cluster deletions).
   */
  public Optional<String> fixedTopic() {
    return Optional.ofNullable(topic);
  }

  /** Looks up a wire name; empty for a type this build does not know (consumers skip it). */
  public static Optional<EventType> fromWireName(String wireName) {
    return Arrays.stream(values()).filter(t -> t.wireName.equals(wireName)).findFirst();
  }

  /** The type of a payload; total because {@link MeshEvent} is sealed to the listed records. */
  public static EventType of(MeshEvent payload) {
    return Arrays.stream(values())
        .filter(t -> t.payloadClass == payload.getClass())
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("unregistered " + payload.getClass()));
  }
}
