package io.meshorch.contracts;

import java.util.List;
import java.util.Objects;

/**
 * One service removed its part of one cluster of a mesh being deleted (the envelope's {@code
 * cluster}). infra-service publishes it with part {@link Stage#VMS} once the cluster's Heat stack
 * is gone (the pairs the mesh added removed from its ports first); rke-service then removes RKE
 * state and the cluster's secrets and publishes it with part {@link Stage#KUBERNETES}, the last
 * part of a cluster. A future partial delete ({@code up --prune}) reuses it for the clusters that
 * go.
 *
 * @param part the part undone: {@code vms} (infra-service) or {@code kubernetes} (rke-service)
 * @param deleted what was deleted; empty when nothing of that part existed any more
 */
public record ClusterDeleted(String part, List<Resource> deleted) implements MeshEvent {

  public ClusterDeleted {
    Objects.requireNonNull(part, "part");
    deleted = deleted == null ? List.of() : List.copyOf(deleted);
  }

  /**
   * One thing that was deleted.
   *
   * @param kind what it is: {@code heat-stack}, {@code address-pair}, {@code secret}, {@code
   *     rke-state}
   * @param name which one: the stack name and ID, {@code <ip> on port <portId>}, the secret
   *     reference, the state folder
   */
  public record Resource(String kind, String name) {
    public Resource {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(name, "name");
    }
  }
}
