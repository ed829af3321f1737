package io.meshorch.contracts;

/**
 * The mesh will not become ready without intervention.
 *
 * @param stage the step that failed
 * @param cluster the cluster it failed on, or null for a mesh-wide failure
 * @param code a stable reason code
 * @param reason what went wrong, for humans
 */
public record MeshFailed(String stage, String cluster, String code, String reason)
    implements MeshEvent {}
