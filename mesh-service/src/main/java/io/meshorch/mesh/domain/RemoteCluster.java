package io.meshorch.mesh.domain;

import java.util.Objects;

/**
 * How a cluster reaches the mesh control plane of another cluster of its mesh: one entry of the
 * Cilium chart's {@code clustermesh.config.clusters} ({@code {name, ips: [ip], port}}).
 *
 * @param name the remote cluster's Cilium name
 * @param ip the LoadBalancer IP of the remote's clustermesh-apiserver
 * @param port its TCP port (2379)
 */
public record RemoteCluster(String name, String ip, int port) {
  /**
   * Where the chart mounts the cluster-mesh configuration and certificates, in the agents
   * (projected volume {@code clustermesh-secrets}) and in the clustermesh-apiserver's {@code
   * kvstoremesh} container (volume {@code kvstoremesh-secrets}) alike.
   */
  public static final String CERT_DIR = "/var/lib/cilium/clustermesh/";

  /**
   * The chart's {@code clustermesh.config.domain}: remotes are dialled as {@code <name>.<domain>},
   * resolved through host aliases.
   */
  public static final String DOMAIN = "mesh.cilium.io";

  /**
   * What agents dial with KVStoreMesh on (the chart's {@code $override}): the local
   * clustermesh-apiserver, whose KVStoreMesh caches every remote.
   */
  public static final String LOCAL_KVSTOREMESH =
      "https://clustermesh-apiserver.kube-system.svc:2379";

  public RemoteCluster {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(ip, "ip");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port must be in 1..65535, found " + port);
    }
  }

  /** The host name dialled, {@code <name>.mesh.cilium.io}, mapped to {@link #ip()}. */
  public String hostname() {
    return name + "." + DOMAIN;
  }

  /**
   * What the clustermesh-apiserver's KVStoreMesh reads for this remote (key {@link #name()} of
   * Secret {@code cilium-kvstoremesh}): the remote's endpoint by host name, authenticated with the
   * certificate of Secret {@code clustermesh-apiserver-remote-cert}, mounted as {@code
   * common-etcd-client.*}.
   */
  public EtcdClientConfig kvstoremeshConfig() {
    return EtcdClientConfig.withFiles("https://" + hostname() + ":" + port, CERT_DIR, "common-");
  }

  /**
   * What the agents read for this remote (key {@link #name()} of Secret {@code cilium-clustermesh})
   * with KVStoreMesh on: the local clustermesh-apiserver, authenticated with the certificate of
   * Secret {@code clustermesh-apiserver-local-cert}, mounted as {@code local-etcd-client.*}.
   */
  public EtcdClientConfig agentConfig() {
    return EtcdClientConfig.withFiles(LOCAL_KVSTOREMESH, CERT_DIR, "local-");
  }
}
