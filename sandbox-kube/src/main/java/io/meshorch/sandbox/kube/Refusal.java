package io.meshorch.sandbox.kube;

/**
 * Why a pod of a workload does not start or does not become ready, where a real cluster stops it,
 * in the real system's words.
 *
 * @param stage where it stops
 * @param reason the event or status reason ({@code FailedCreate}, {@code FailedMount}, {@code
 *     CreateContainerConfigError}, {@code CrashLoopBackOff})
 * @param message the message as Kubernetes or the component shows it
 * @param container the container concerned (null for the whole pod)
 */
record Refusal(Stage stage, String reason, String message, String container) {
  /** Where a pod stops, in the order a real cluster checks. */
  enum Stage {
    /** The pod is not created (ServiceAccount, admission policy): an event on the workload. */
    ADMISSION,
    /** The pod stays ContainerCreating: a volume cannot be set up (kubelet {@code FailedMount}). */
    MOUNT,
    /**
     * A container cannot be created: {@code CreateContainerConfigError} (env from a missing ref).
     */
    CONFIG,
    /** The container starts but exits: the component cannot work (RBAC, CRDs). */
    RUN
  }
}
