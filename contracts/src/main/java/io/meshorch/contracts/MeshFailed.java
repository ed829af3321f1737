package io.meshorch.contracts;

/**
 * The mesh will not become ready without intervention.
 *
 * @param stage the step that failed
 * @param cluster the cluster it failed on, or null for a mesh-wide failure
 * @param code a stable reason code
 * @param reason what went wrong, for humans
 * @param retryable true when running the same request again ({@code meshctl up}) may succeed: the
 *     cause may pass on its own (a timeout, an outage), as for a {@link ClusterFailed} with {@code
 *     retryable} true; false when the cause must be fixed first (invalid input, quota,
 *     authentication, policy); null when the producer did not say (optional field, absent from
 *     events of producers older than it)
 */
public record MeshFailed(
    String stage, String cluster, String code, String reason, Boolean retryable)
    implements MeshEvent {}
