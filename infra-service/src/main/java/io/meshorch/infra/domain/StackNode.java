package io.meshorch.infra.domain;

/**
 * One node as the Heat stack's {@code nodes} output describes it.
 *
 * @param name the VM name, {@code mesh-<meshId>-<cluster>-node-<i>}
 * @param serverId the Nova server ID
 * @param portId the Neutron port ID holding the node's address
 * @param address the fixed IPv4 address of the port
 */
public record StackNode(String name, String serverId, String portId, String address) {}
