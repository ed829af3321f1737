package io.meshorch.cni.domain;

/** What ensuring the {@code cilium-ca} Secret in a cluster found. */
public enum CaSecretOutcome {
  /** The Secret did not exist and now holds the mesh CA. */
  CREATED,
  /** The Secret already held the mesh CA; nothing was written. */
  ALREADY_PRESENT,
  /** The Secret holds another CA; it was left alone, since replacing it would break the mesh. */
  DIFFERENT_CA
}
