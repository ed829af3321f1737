package io.meshorch.contracts;

/**
 * What the VMs of one cluster are made of, in the terms of the target OpenStack cloud.
 *
 * @param image Glance image name or ID (an image with cloud-init, e.g. Ubuntu 22.04)
 * @param flavor Nova flavor name or ID
 * @param network Neutron network name or ID the node ports are created on
 * @param keyName name of an existing Nova keypair; the matching private key is configured in
 *     rke-service, never sent on the bus
 * @param sshUser login user on the image, a member of the docker group (e.g. {@code ubuntu})
 */
public record MachineSpec(
    String image, String flavor, String network, String keyName, String sshUser) {}
