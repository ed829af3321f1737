package io.meshorch.kit.port;

import java.util.Optional;

/**
 * Where secrets live (kubeconfigs, the mesh CA key, RKE state). Events carry only references
 * ({@code meshes/<meshId>/clusters/<cluster>/kubeconfig}); the bytes stay here. Implementations
 * must work when the services run on different hosts.
 */
public interface SecretStore {

  /** Stores {@code value} under {@code ref}, replacing what was there. Idempotent. */
  void put(String ref, byte[] value);

  /**
   * Stores {@code value} under {@code ref} unless something is there already, atomically, and
   * returns what is stored afterwards. Lets concurrent handlers agree on one generated secret.
   */
  byte[] putIfAbsent(String ref, byte[] value);

  /** The secret under {@code ref}, or empty. */
  Optional<byte[]> get(String ref);

  /** Removes {@code ref}; removing a missing secret is success. */
  void delete(String ref);
}
