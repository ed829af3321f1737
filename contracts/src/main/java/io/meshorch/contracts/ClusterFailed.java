package io.meshorch.contracts;

/**
 * A step gave up on one cluster after its bounded retries (or at once, for a terminal error).
 *
 * @param stage the step that failed, one of {@link Stage}'s names
 * @param code a stable machine-readable reason code, e.g. {@code HEAT_STACK_FAILED}
 * @param reason what went wrong, for humans (no stack traces, no secrets)
 * @param retryable true when running the same request again may succeed (timeouts, outages); false
 *     for invalid input, quota, authentication and policy errors
 */
public record ClusterFailed(String stage, String code, String reason, boolean retryable)
    implements MeshEvent {}
