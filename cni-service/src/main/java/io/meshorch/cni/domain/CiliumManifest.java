package io.meshorch.cni.domain;

import io.meshorch.contracts.ClusterSpec;
import io.meshorch.contracts.validation.Ipv4Block;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Everything cni-service puts into one cluster to run Cilium as its CNI, rendered from the
 * cluster's spec and the release: object names, the {@code cilium-config} keys, the three
 * workloads. Pure: the same cluster and release always render the same manifest, so applying it
 * again converges.
 *
 * @param clusterName Cilium cluster name (unique in the mesh)
 * @param clusterId Cilium cluster ID, 1..255 (unique in the mesh)
 * @param podCidr IPv4 CIDR Cilium's cluster-pool IPAM hands out per-node /24s from
 * @param release the Cilium release
 */
public record CiliumManifest(
    String clusterName, int clusterId, String podCidr, CiliumRelease release) {
  /** Namespace of every Cilium object. */
  public static final String NAMESPACE = "kube-system";

  /** Secret holding the mesh's shared CA ({@value #CA_CERT_KEY}, {@value #CA_KEY_KEY}). */
  public static final String CA_SECRET = "cilium-ca";

  /** Key of the CA certificate (PEM) in {@link #CA_SECRET}. */
  public static final String CA_CERT_KEY = "ca.crt";

  /** Key of the CA private key (PEM, PKCS#8) in {@link #CA_SECRET}. */
  public static final String CA_KEY_KEY = "ca.key";

  /** ConfigMap read by the agents and the operator. */
  public static final String CONFIG_MAP = "cilium-config";

  /** DaemonSet (and service account) of the agents. */
  public static final String AGENT = "cilium";

  /** Deployment (and service account) of the operator. */
  public static final String OPERATOR = "cilium-operator";

  /** Deployment (and service account) of the mesh control plane. */
  public static final String CLUSTERMESH_APISERVER = "clustermesh-apiserver";

  /** Secret with the remote clusters' etcd configs; written by mesh-service, mounted here. */
  public static final String CLUSTERMESH_SECRET = "cilium-clustermesh";

  /** Where agents read the mesh configuration. */
  public static final String CLUSTERMESH_CONFIG_DIR = "/var/lib/cilium/clustermesh/";

  /** Size of the pod CIDR block each node gets from the cluster pool. */
  public static final int NODE_MASK_SIZE = 24;

  private static final String CONFIG_DIR = "/tmp/cilium/config-map";
  private static final Pattern CLUSTER_NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?");

  public CiliumManifest {
    Objects.requireNonNull(clusterName, "clusterName");
    Objects.requireNonNull(podCidr, "podCidr");
    Objects.requireNonNull(release, "release");
  }

  /**
   * The manifest of {@code cluster}.
   *
   * @throws InvalidCiliumValuesException naming the field when the name, ID, pod CIDR or node count
   *     cannot work with Cilium's cluster mesh and cluster-pool IPAM
   */
  public static CiliumManifest forCluster(ClusterSpec cluster, CiliumRelease release) {
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
    return new CiliumManifest(name, cluster.id(), cluster.podCidr().trim(), release);
  }

  /** The data of ConfigMap {@value #CONFIG_MAP}, in a stable order. */
  public Map<String, String> config() {
    Map<String, String> data = new LinkedHashMap<>();
    data.put("cluster-name", clusterName);
    data.put("cluster-id", String.valueOf(clusterId));
    data.put("ipam", "cluster-pool");
    data.put("cluster-pool-ipv4-cidr", podCidr);
    data.put("cluster-pool-ipv4-mask-size", String.valueOf(NODE_MASK_SIZE));
    data.put("routing-mode", "tunnel");
    data.put("tunnel-protocol", "vxlan");
    data.put("clustermesh-config", CLUSTERMESH_CONFIG_DIR);
    data.put("enable-ipv4", "true");
    data.put("enable-ipv6", "false");
    return Collections.unmodifiableMap(data);
  }

  /** The service accounts of the three components. */
  public List<String> serviceAccounts() {
    return List.of(AGENT, OPERATOR, CLUSTERMESH_APISERVER);
  }

  /** The three workloads, agent first. */
  public List<Workload> workloads() {
    return List.of(agent(), operator(), clustermeshApiserver());
  }

  /** DaemonSet {@value #AGENT}: one privileged agent per node, on the host network. */
  public Workload agent() {
    return new Workload(
        Workload.Kind.DAEMON_SET,
        AGENT,
        Map.of(
            "k8s-app", "cilium",
            "app.kubernetes.io/name", "cilium-agent",
            "app.kubernetes.io/part-of", "cilium"),
        Map.of("k8s-app", "cilium"),
        AGENT,
        "cilium-agent",
        release.agentImage(),
        List.of("cilium-agent"),
        List.of("--config-dir=" + CONFIG_DIR),
        Map.of("CILIUM_CLUSTERMESH_CONFIG", CLUSTERMESH_CONFIG_DIR),
        podFieldEnv(),
        true,
        true,
        true,
        1,
        List.of(
            configMount(),
            new Mount(
                "clustermesh-secrets",
                CLUSTERMESH_CONFIG_DIR,
                Mount.Source.SECRET,
                CLUSTERMESH_SECRET,
                true,
                true),
            Mount.hostPath("bpf-maps", "/sys/fs/bpf", "/sys/fs/bpf"),
            Mount.hostPath("cilium-run", "/var/run/cilium", "/var/run/cilium"),
            Mount.hostPath("cni-path", "/opt/cni/bin", "/host/opt/cni/bin"),
            Mount.hostPath("etc-cni-netd", "/etc/cni/net.d", "/host/etc/cni/net.d"),
            new Mount(
                "lib-modules", "/lib/modules", Mount.Source.HOST_PATH, "/lib/modules", false, true),
            Mount.hostPath("xtables-lock", "/run/xtables.lock", "/run/xtables.lock")));
  }

  /** Deployment {@value #OPERATOR}: IPAM (cluster pool) and garbage collection. */
  public Workload operator() {
    return new Workload(
        Workload.Kind.DEPLOYMENT,
        OPERATOR,
        Map.of(
            "io.cilium/app", "operator",
            "name", "cilium-operator",
            "app.kubernetes.io/name", "cilium-operator",
            "app.kubernetes.io/part-of", "cilium"),
        Map.of("io.cilium/app", "operator", "name", "cilium-operator"),
        OPERATOR,
        "cilium-operator",
        release.operatorImage(),
        List.of("cilium-operator-generic"),
        List.of("--config-dir=" + CONFIG_DIR),
        Map.of(),
        podFieldEnv(),
        true,
        false,
        true,
        1,
        List.of(configMount()));
  }

  /** Deployment {@value #CLUSTERMESH_APISERVER}: the mesh control plane other clusters dial. */
  public Workload clustermeshApiserver() {
    return new Workload(
        Workload.Kind.DEPLOYMENT,
        CLUSTERMESH_APISERVER,
        Map.of(
            "k8s-app", "clustermesh-apiserver",
            "app.kubernetes.io/name", "clustermesh-apiserver",
            "app.kubernetes.io/part-of", "cilium"),
        Map.of("k8s-app", "clustermesh-apiserver"),
        CLUSTERMESH_APISERVER,
        "apiserver",
        release.clustermeshApiserverImage(),
        List.of("/usr/bin/clustermesh-apiserver"),
        List.of(
            "clustermesh",
            "--cluster-name=" + clusterName,
            "--cluster-id=" + clusterId,
            "--kvstore-opt=etcd.config=/var/lib/cilium/etcd-config.yaml"),
        Map.of(),
        podFieldEnv(),
        false,
        false,
        false,
        1,
        List.of(configMount()));
  }

  private static Map<String, String> podFieldEnv() {
    return Map.of("K8S_NODE_NAME", "spec.nodeName", "CILIUM_K8S_NAMESPACE", "metadata.namespace");
  }

  private static Mount configMount() {
    return new Mount(
        "cilium-config-path", CONFIG_DIR, Mount.Source.CONFIG_MAP, CONFIG_MAP, false, true);
  }
}
