package io.meshorch.cni.domain;

import io.meshorch.contracts.ClusterSpec;
import io.meshorch.contracts.validation.Ipv4Block;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What one cluster's spec puts into the official Cilium chart: cluster name and ID, the pod CIDR of
 * cluster-pool IPAM, checked for what Cilium's cluster mesh accepts. {@link #helmValues} turns
 * them, with the API server endpoint, the mesh CA and the clustermesh-apiserver certificates, into
 * the chart's values. Pure: the same inputs always give the same values, so a re-render is
 * identical.
 *
 * @param clusterName Cilium cluster name (unique in the mesh)
 * @param clusterId Cilium cluster ID, 1..255 (unique in the mesh)
 * @param podCidr IPv4 CIDR Cilium's cluster-pool IPAM hands out per-node /24s from
 */
public record CiliumValues(String clusterName, int clusterId, String podCidr) {
  /** Namespace of every Cilium object, and of the Helm release. */
  public static final String NAMESPACE = "kube-system";

  /** Name of the Helm release the objects are marked with. */
  public static final String RELEASE = "cilium";

  /** Secret holding the mesh's shared CA ({@value #CA_CERT_KEY}, {@value #CA_KEY_KEY}). */
  public static final String CA_SECRET = "cilium-ca";

  /** Key of the CA certificate (PEM) in {@link #CA_SECRET}. */
  public static final String CA_CERT_KEY = "ca.crt";

  /** Key of the CA private key (PEM) in {@link #CA_SECRET}. */
  public static final String CA_KEY_KEY = "ca.key";

  /** ConfigMap read by the agents and the operator. */
  public static final String CONFIG_MAP = "cilium-config";

  /** DaemonSet of the agents. */
  public static final String AGENT = "cilium";

  /** Deployment of the operator. */
  public static final String OPERATOR = "cilium-operator";

  /** Deployment (and LoadBalancer Service) of the mesh control plane. */
  public static final String CLUSTERMESH_APISERVER = "clustermesh-apiserver";

  /**
   * Secret with the client certificate the agents and the operator use to reach their own
   * clustermesh-apiserver (KVStoreMesh). The chart mounts it but renders it only when it generates
   * the certificates itself, so cni-service writes it (see {@link ClusterMeshCertificates}).
   */
  public static final String LOCAL_CERT_SECRET = "clustermesh-apiserver-local-cert";

  /** Size of the pod CIDR block each node gets from the cluster pool. */
  public static final int NODE_MASK_SIZE = 24;

  private static final Pattern CLUSTER_NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?");

  public CiliumValues {
    Objects.requireNonNull(clusterName, "clusterName");
    Objects.requireNonNull(podCidr, "podCidr");
  }

  /**
   * The Cilium values of {@code cluster}.
   *
   * @throws InvalidCiliumValuesException naming the field when the name, ID, pod CIDR or node count
   *     cannot work with Cilium's cluster mesh and cluster-pool IPAM
   */
  public static CiliumValues forCluster(ClusterSpec cluster) {
    if (cluster == null) {
      throw new InvalidCiliumValuesException("cluster is required");
    }
    String name = cluster.name();
    if (name == null || !CLUSTER_NAME.matcher(name).matches() || "default".equals(name)) {
      throw new InvalidCiliumValuesException(
          "cluster.name must be 1-32 lowercase letters, digits or '-', start and end with a letter"
              + " or digit and not be 'default', found '"
              + name
              + "'");
    }
    if (cluster.id() == null || cluster.id() < 1 || cluster.id() > 255) {
      throw new InvalidCiliumValuesException(
          "cluster.id must be 1..255 (Cilium cluster mesh), found " + cluster.id());
    }
    Optional<Ipv4Block> pods = Ipv4Block.parseCidr(cluster.podCidr());
    if (pods.isEmpty()) {
      throw new InvalidCiliumValuesException(
          "cluster.podCidr must be an IPv4 CIDR without host bits, found '"
              + cluster.podCidr()
              + "'");
    }
    long perNode = 1L << (32 - NODE_MASK_SIZE);
    long nodeBlocks = pods.get().size() / perNode;
    if (nodeBlocks < 1) {
      throw new InvalidCiliumValuesException(
          "cluster.podCidr "
              + cluster.podCidr()
              + " is smaller than the /"
              + NODE_MASK_SIZE
              + " each node gets from Cilium's cluster pool");
    }
    if (cluster.nodeCount() != null && cluster.nodeCount() > nodeBlocks) {
      throw new InvalidCiliumValuesException(
          "cluster.podCidr "
              + cluster.podCidr()
              + " holds "
              + nodeBlocks
              + " node blocks of /"
              + NODE_MASK_SIZE
              + " but cluster.nodeCount is "
              + cluster.nodeCount());
    }
    return new CiliumValues(name, cluster.id(), cluster.podCidr().trim());
  }

  /**
   * The chart's values for this cluster: cluster name and ID; cluster-pool IPAM with the pod CIDR
   * ({@value #NODE_MASK_SIZE} per node); tunnel routing with VXLAN; the API server endpoint the
   * agents use before any Service works; kube-proxy kept (no replacement); Hubble off; the
   * clustermesh-apiserver with its LoadBalancer Service and KVStoreMesh as the chart defaults it;
   * the mesh CA as {@code tls.ca}, and the server, admin and remote certificates provided (the
   * chart's {@code tls.auto} off), so that Helm generates nothing and a re-render is identical.
   *
   * <p>Maps keep insertion order; every value is a string, number, boolean, list or map, written as
   * JSON by the renderer.
   */
  public Map<String, Object> helmValues(
      ApiServerEndpoint apiServer, MeshCa ca, ClusterMeshCertificates certs) {
    Objects.requireNonNull(apiServer, "apiServer");
    Objects.requireNonNull(ca, "ca");
    Objects.requireNonNull(certs, "certs");
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("cluster", map("name", clusterName, "id", clusterId));
    values.put(
        "ipam",
        map(
            "mode",
            "cluster-pool",
            "operator",
            map(
                "clusterPoolIPv4PodCIDRList",
                List.of(podCidr),
                "clusterPoolIPv4MaskSize",
                NODE_MASK_SIZE)));
    values.put("routingMode", "tunnel");
    values.put("tunnelProtocol", "vxlan");
    values.put("k8sServiceHost", apiServer.host());
    values.put("k8sServicePort", apiServer.port());
    values.put("kubeProxyReplacement", "false");
    values.put("hubble", map("enabled", false));
    values.put(
        "tls", map("ca", map("cert", b64(ca.certificatePem()), "key", b64(ca.privateKeyPem()))));
    values.put(
        "clustermesh",
        map(
            "useAPIServer",
            true,
            "apiserver",
            map(
                "service",
                map("type", "LoadBalancer"),
                "tls",
                map(
                    "auto",
                    map("enabled", false),
                    "server",
                    pair(certs.server()),
                    "admin",
                    pair(certs.admin()),
                    "remote",
                    pair(certs.remote())))));
    return values;
  }

  private static Map<String, Object> pair(IssuedCertificate certificate) {
    return map("cert", b64(certificate.certificatePem()), "key", b64(certificate.privateKeyPem()));
  }

  private static String b64(String pem) {
    return Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.UTF_8));
  }

  private static Map<String, Object> map(Object... keysAndValues) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      out.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return out;
  }
}
