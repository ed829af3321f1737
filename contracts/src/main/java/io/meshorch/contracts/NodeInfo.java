package io.meshorch.contracts;

import java.util.List;

/**
 * One VM of a cluster, as created by infra-service.
 *
 * @param name the VM (and Kubernetes node) name, {@code mesh-<meshId>-<cluster>-node-<n>}
 * @param serverId Nova server ID
 * @param portId ID of the Neutron port holding the node's address
 * @param address the node's fixed IPv4 address (SSH target and Kubernetes InternalIP)
 * @param sshHostKeyFingerprints SHA-256 fingerprints of the node's SSH host keys in OpenSSH form
 *     ({@code SHA256:<base64>}), as printed by cloud-init on the server console; rke-service pins
 *     them. Empty when unknown, in which case rke-service falls back to its known_hosts file.
 */
public record NodeInfo(
    String name,
    String serverId,
    String portId,
    String address,
    List<String> sshHostKeyFingerprints) {

  /** Copies the fingerprint list so that the record stays immutable. */
  public NodeInfo {
    sshHostKeyFingerprints =
        sshHostKeyFingerprints == null ? List.of() : List.copyOf(sshHostKeyFingerprints);
  }
}
