package io.meshorch.sandbox.kube;

import io.fabric8.kubernetes.api.model.Pod;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The TLS handshake between a dialer of the mesh (a Cilium agent, or KVStoreMesh) and a remote
 * cluster's clustermesh-apiserver etcd, from what both pods really hold: the dialer's etcd config
 * ({@code trusted-ca-file}, {@code cert-file}) read through its own volumes ({@link PodFiles}), and
 * the remote etcd's {@code --cert-file} / {@code --trusted-ca-file} ({@code
 * /var/lib/etcd-secrets/tls.crt} and {@code ca.crt}, as the Cilium 1.18 chart's {@code
 * clustermesh-apiserver/deployment.yaml} lines 128-131 start it) read through the remote pod's
 * volumes. Checked with {@link RemoteTrust}.
 */
final class MeshTls {
  static final String SERVER_CERT = "/var/lib/etcd-secrets/tls.crt";
  static final String SERVER_CLIENT_CA = "/var/lib/etcd-secrets/ca.crt";

  /** The name agents dial when KVStoreMesh is on (the chart's {@code cilium-clustermesh}). */
  static final String LOCAL_APISERVER = "clustermesh-apiserver.kube-system.svc";

  private MeshTls() {}

  /**
   * @return the failure as the dialer reports it, or empty when both sides accept each other
   */
  static Optional<String> handshake(
      ClusterReads local,
      Pod dialer,
      String etcdConfig,
      ClusterReads remote,
      String host,
      Instant now) {
    Map<String, Object> config = parse(etcdConfig);
    Object caFile = config.get("trusted-ca-file");
    String trusted = null;
    if (caFile != null) {
      Optional<String> ca = PodFiles.read(local, dialer, null, String.valueOf(caFile));
      if (ca.isEmpty()) {
        return Optional.of("open " + caFile + ": no such file or directory");
      }
      trusted = ca.get();
    }
    Optional<Pod> server = etcdPod(remote);
    Optional<String> serverCert =
        server.flatMap(p -> PodFiles.read(remote, p, "etcd", SERVER_CERT));
    if (serverCert.isEmpty()) {
      return Optional.of("tls: first record does not look like a TLS handshake");
    }
    // Without trusted-ca-file the etcd client trusts the host's roots, which never hold a mesh CA.
    Optional<String> failure =
        RemoteTrust.verifyServer(serverCert.get(), trusted == null ? "" : trusted, host, now);
    if (failure.isPresent()) {
      return failure;
    }
    Optional<String> clientCa = PodFiles.read(remote, server.get(), "etcd", SERVER_CLIENT_CA);
    if (clientCa.isEmpty()) {
      return Optional.empty();
    }
    Object certFile = config.get("cert-file");
    String clientCert =
        certFile == null
            ? null
            : PodFiles.read(local, dialer, null, String.valueOf(certFile)).orElse(null);
    return RemoteTrust.verifyClient(clientCert, clientCa.get(), now);
  }

  /** A running pod of the remote's clustermesh-apiserver (its etcd container serves 2379). */
  static Optional<Pod> etcdPod(ClusterReads remote) {
    return remote.pods("kube-system", "k8s-app", "clustermesh-apiserver").stream()
        .filter(PodStates::ready)
        .max(Comparator.comparing(CiliumAgents::startedAt));
  }

  private static Map<String, Object> parse(String etcdConfig) {
    try {
      Object doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(etcdConfig);
      if (doc instanceof Map<?, ?> m) {
        @SuppressWarnings("unchecked")
        Map<String, Object> out = (Map<String, Object>) m;
        return out;
      }
    } catch (RuntimeException e) {
      return Map.of();
    }
    return Map.of();
  }
}
