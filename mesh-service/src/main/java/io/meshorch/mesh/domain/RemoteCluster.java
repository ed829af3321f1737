package io.meshorch.mesh.domain;

import java.util.Objects;

/**
 * How a cluster reaches the mesh control plane of another cluster of its mesh.
 *
 * @param name the remote cluster's Cilium name
 * @param ip the LoadBalancer IP of the remote's clustermesh-apiserver
 * @param port its TCP port (2379)
 */
public record RemoteCluster(String name, String ip, int port) {
  /** Where agents look for the certificates of the mesh (mounted from the Cilium chart). */
  public static final String CERT_DIR = "/var/lib/cilium/clustermesh/";

  /** The DNS domain under which remotes are named; resolved through host aliases. */
  public static final String DOMAIN = ".mesh.cilium.io";

  public RemoteCluster {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(ip, "ip");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port must be in 1..65535, found " + port);
    }
  }

  /** The host name agents dial, {@code <name>.mesh.cilium.io}, mapped to {@link #ip()}. */
  public String hostname() {
    return name + DOMAIN;
  }

  /**
   * The etcd client configuration agents read for this remote: the value of key {@link #name()} in
   * Secret {@code kube-system/cilium-clustermesh}.
   */
  public String etcdConfig() {
    return "endpoints:\n"
        + "- https://"
        + hostname()
        + ":"
        + port
        + "\n"
        + "trusted-ca-file: "
        + CERT_DIR
        + "common-etcd-client-ca.crt\n"
        + "key-file: "
        + CERT_DIR
        + "common-etcd-client.key\n"
        + "cert-file: "
        + CERT_DIR
        + "common-etcd-client.crt\n";
  }
}
