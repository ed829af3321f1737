package io.meshorch.cni.domain;

import java.util.List;
import java.util.Objects;

/**
 * One certificate of the clustermesh-apiserver to issue from the mesh CA, with the subject and
 * names the Cilium chart's own generator ({@code tls.auto.method=helm}) gives it.
 *
 * @param role which certificate it is
 * @param commonName subject {@code CN}
 * @param dnsNames DNS subject alternative names (may be empty)
 * @param ipAddresses IP subject alternative names (may be empty)
 */
public record CertificateRequest(
    Role role, String commonName, List<String> dnsNames, List<String> ipAddresses) {

  /** The certificates of a clustermesh-apiserver and what uses each. */
  public enum Role {
    /**
     * The etcd server of the clustermesh-apiserver (Secret {@code
     * clustermesh-apiserver-server-cert}).
     */
    SERVER,
    /** The apiserver and KVStoreMesh talking to their own etcd ({@code -admin-cert}). */
    ADMIN,
    /** What other clusters' agents or KVStoreMesh present to this etcd ({@code -remote-cert}). */
    REMOTE,
    /** The local agents and operator reaching this cluster's KVStoreMesh ({@code -local-cert}). */
    LOCAL
  }

  public CertificateRequest {
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(commonName, "commonName");
    dnsNames = List.copyOf(dnsNames);
    ipAddresses = List.copyOf(ipAddresses);
  }
}
