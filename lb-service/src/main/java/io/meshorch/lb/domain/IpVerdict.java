package io.meshorch.lb.domain;

/** What an IP assigned to the mesh endpoint Service means for the step. */
public enum IpVerdict {
  /** A dotted-quad IPv4 address inside the cluster's pool: the step succeeded. */
  INSIDE_POOL,
  /** An IPv4 address outside the pool (another pool or a stale assignment): terminal. */
  OUTSIDE_POOL,
  /** Not an IPv4 address at all (e.g. IPv6 or a hostname): terminal. */
  NOT_IPV4
}
