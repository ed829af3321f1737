package io.meshorch.cni.adapter.kubernetes;

/** How objects are written to a cluster ({@code mesh.kube.apply}). */
public enum ApplyMode {
  /**
   * Create, or replace with a full update when the object exists. Works everywhere, including the
   * fabric8 mock server; fields other writers own are carried over explicitly.
   */
  UPDATE,
  /**
   * Server-side apply with field manager {@value Fabric8CiliumInstaller#FIELD_MANAGER}, forcing
   * conflicts: fields other managers own (e.g. the agents' {@code hostAliases}) stay untouched.
   * Real API servers only.
   */
  SERVER_SIDE
}
