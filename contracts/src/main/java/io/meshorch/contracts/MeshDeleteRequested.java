package io.meshorch.contracts;

/**
 * A user asks to delete a whole mesh: everything its services created (Heat stacks, the
 * allowed-address pairs the mesh added, RKE state, kubeconfigs, CA and keys). Published on {@code
 * mesh.requests} with the mesh ID as key, like {@link MeshRequested}; the envelope's {@code meshId}
 * names the mesh and {@code cluster} is null. Each service undoes its own part ({@link
 * ClusterDeleted} per cluster and part); mesh-service answers {@link MeshDeleted} (also at once
 * when the mesh is unknown or deleted already) or {@link MeshFailed} with stage {@code delete}.
 */
public record MeshDeleteRequested() implements MeshEvent {}
