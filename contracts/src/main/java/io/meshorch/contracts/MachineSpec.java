package io.meshorch.contracts;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What the VMs of one cluster are made of, in the terms of the target OpenStack cloud.
 *
 * @param image Glance image name or ID (an image with cloud-init, e.g. Ubuntu 22.04)
 * @param flavor Nova flavor name or ID
 * @param network Neutron network name or ID the node ports are created on
 * @param keyName name of an existing Nova keypair; the matching private key is configured in
 *     rke-service, never sent on the bus
 * @param sshUser login user on the image (e.g. {@code ubuntu}), a POSIX user name; the user data
 *     adds it to the {@code docker} group
 * @param securityGroups optional: names or IDs of existing Neutron security groups for the node
 *     ports, which must open what the mesh needs (infra-service's README lists it); null or empty:
 *     the cluster's Heat stack creates its own group
 */
public record MachineSpec(
    String image,
    String flavor,
    String network,
    String keyName,
    String sshUser,
    List<String> securityGroups) {

  /** Keeps null entries (so validation can point at them) but makes the list unmodifiable. */
  public MachineSpec {
    securityGroups =
        securityGroups == null
            ? null
            : Collections.unmodifiableList(new ArrayList<>(securityGroups));
  }

  /** A machine without security groups of its own choosing (the stack creates one). */
  public MachineSpec(String image, String flavor, String network, String keyName, String sshUser) {
    this(image, flavor, network, keyName, sshUser, null);
  }
}
