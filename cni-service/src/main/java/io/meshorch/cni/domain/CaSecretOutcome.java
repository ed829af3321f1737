package io.meshorch.cni.domain;

/** What the {@code cilium-ca} Secret of a cluster holds, before the chart's objects are applied. */
public enum CaSecretOutcome {
  /** There is no such Secret yet; the chart's one will carry the mesh CA. */
  ABSENT,
  /** It already holds the mesh CA. */
  SAME_CA,
  /** It holds another CA; nothing is applied, since replacing it would break the mesh. */
  DIFFERENT_CA
}
