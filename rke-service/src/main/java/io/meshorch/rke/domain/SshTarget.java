package io.meshorch.rke.domain;

/**
 * Where and how to open an SSH session to a node.
 *
 * @param node the node's name, for messages
 * @param address its address
 * @param port its SSH port
 * @param user the login user
 * @param hostKeys how its host key is verified
 */
public record SshTarget(
    String node, String address, int port, String user, HostKeyPolicy hostKeys) {}
