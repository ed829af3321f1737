package io.meshorch.mesh.domain;

/**
 * One entry of {@code cluster-mesh.clusters[]} in {@code cilium-dbg status -o json}: how an agent
 * sees one remote cluster.
 *
 * @param name the remote cluster name
 * @param ready whether the agent is connected to it and synced
 * @param status the agent's summary text, e.g. {@code not connected}
 * @param numNodes how many nodes of the remote the agent knows
 * @param lastFailure the last connection error, or null
 */
public record RemoteStatus(
    String name, boolean ready, String status, int numNodes, String lastFailure) {}
