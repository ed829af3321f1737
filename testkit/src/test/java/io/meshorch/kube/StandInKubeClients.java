package io.meshorch.kube;

/**
 * Stands in for kube-support in the architecture fixtures (testkit does not depend on it): a class
 * of {@code io.meshorch.kube} that only adapters and config may use.
 */
public final class StandInKubeClients {}
