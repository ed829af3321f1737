package io.meshorch.sandbox.kube;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * One Kubernetes cluster of the sandbox: an API server (fabric8's mock server in CRUD mode) that
 * also answers {@code exec} into Cilium agent pods, and the nodes {@code rke up} registered.
 */
public final class SandboxCluster implements AutoCloseable {
  private final ClusterYml spec;
  private final KubernetesMockServer server;
  private final KubernetesClient client;
  private final String host;
  private final String token = UUID.randomUUID().toString().replace("-", "");

  SandboxCluster(ClusterYml spec, String bindAddress, SandboxKube sandbox) {
    this.spec = spec;
    this.host = bindAddress;
    Map<
            io.fabric8.mockwebserver.ServerRequest,
            java.util.Queue<io.fabric8.mockwebserver.ServerResponse>>
        responses = new HashMap<>();
    KubernetesMixedDispatcher crud = new KubernetesMixedDispatcher(responses);
    this.server =
        new KubernetesMockServer(
            new Context(),
            new MockWebServer(),
            responses,
            new ExecDispatcher(crud, this, sandbox),
            false);
    try {
      server.start(InetAddress.getByName(bindAddress), 0);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("bad bind address " + bindAddress, e);
    }
    this.client =
        new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(kubeconfig())).build();
    try {
      seed();
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /** Namespaces and NotReady nodes, as a fresh RKE cluster without CNI has them. */
  private void seed() {
    for (String ns : List.of("default", "kube-system", "kube-public")) {
      client
          .namespaces()
          .resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
          .create();
    }
    for (ClusterYml.Node n : spec.nodes()) {
      NodeBuilder node =
          new NodeBuilder()
              .withNewMetadata()
              .withName(n.name())
              .addToLabels("kubernetes.io/hostname", n.name())
              .endMetadata()
              .withNewStatus()
              .addNewAddress()
              .withType("InternalIP")
              .withAddress(n.internalAddress())
              .endAddress()
              .addNewCondition()
              .withType("Ready")
              .withStatus("False")
              .withReason("KubeletNotReady")
              .withMessage(
                  "container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized")
              .endCondition()
              .endStatus();
      n.roles()
          .forEach(
              r ->
                  node.editMetadata()
                      .addToLabels("node-role.kubernetes.io/" + r, "true")
                      .endMetadata());
      client.nodes().resource(node.build()).create();
    }
  }

  /** The cluster name of its cluster.yml. */
  public String name() {
    return spec.clusterName();
  }

  /** The identity of the cluster: its first control-plane node's address. */
  public String identity() {
    return spec.identity();
  }

  /** The API server's URL (plain HTTP on the sandbox's address, random port). */
  public String apiServerUrl() {
    return "http://" + host + ":" + server.getPort();
  }

  /** {@code services.kube-controller.cluster_cidr} of its cluster.yml (RKE default applied). */
  public String podCidr() {
    return spec.podCidr();
  }

  /** {@code services.kube-api.service_cluster_ip_range} of its cluster.yml. */
  public String serviceCidr() {
    return spec.serviceCidr();
  }

  /** An admin client (for the sandbox's controllers and for tests); closed by {@link #close}. */
  public KubernetesClient client() {
    return client;
  }

  /** The Kubernetes node names, in cluster.yml order. */
  public List<String> nodeNames() {
    return spec.nodes().stream().map(ClusterYml.Node::name).toList();
  }

  List<Node> nodes() {
    return client.nodes().list().getItems();
  }

  ClusterYml spec() {
    return spec;
  }

  /** An admin kubeconfig, as RKE writes {@code kube_config_cluster.yml}: a secret. */
  public String kubeconfig() {
    return """
        apiVersion: v1
        kind: Config
        clusters:
        - name: "%1$s"
          cluster:
            server: "%2$s"
        contexts:
        - name: "%1$s"
          context:
            user: "kube-admin-%1$s"
            cluster: "%1$s"
        current-context: "%1$s"
        users:
        - name: "kube-admin-%1$s"
          user:
            token: "%3$s"
        """
        .formatted(spec.clusterName(), apiServerUrl(), token);
  }

  @Override
  public void close() {
    client.close();
    server.shutdown();
  }
}
