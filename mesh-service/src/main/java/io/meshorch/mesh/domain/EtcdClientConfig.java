package io.meshorch.mesh.domain;

import java.util.Objects;

/**
 * One etcd client configuration of Cilium's cluster mesh: the value of one key of Secret {@code
 * cilium-clustermesh} or {@code cilium-kvstoremesh}, which the agents (or the
 * clustermesh-apiserver's KVStoreMesh) read from the file of that name. Its four fields are the
 * four keys the Cilium chart writes, in the chart's order.
 *
 * @param endpoint the one etcd endpoint dialled ({@code https://<host>:<port>})
 * @param trustedCaFile the CA file the server certificate is checked against
 * @param keyFile the client key file
 * @param certFile the client certificate file
 */
public record EtcdClientConfig(
    String endpoint, String trustedCaFile, String keyFile, String certFile) {

  public EtcdClientConfig {
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(trustedCaFile, "trustedCaFile");
    Objects.requireNonNull(keyFile, "keyFile");
    Objects.requireNonNull(certFile, "certFile");
  }

  /**
   * A configuration whose files are {@code <dir><prefix>etcd-client-ca.crt}, {@code
   * <prefix>etcd-client.key} and {@code <prefix>etcd-client.crt}, as the chart names them.
   */
  static EtcdClientConfig withFiles(String endpoint, String dir, String prefix) {
    return new EtcdClientConfig(
        endpoint,
        dir + prefix + "etcd-client-ca.crt",
        dir + prefix + "etcd-client.key",
        dir + prefix + "etcd-client.crt");
  }
}
