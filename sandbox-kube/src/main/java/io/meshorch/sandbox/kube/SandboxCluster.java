package io.meshorch.sandbox.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.kubernetes.client.vertx5.Vertx5HttpClientFactory;
import io.meshorch.sandbox.core.ClusterRef;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One Kubernetes cluster of the sandbox: an API server (fabric8's mock CRUD store, served on the
 * sandbox's shared Vert.x) that also answers {@code exec} into Cilium agent pods, and the nodes
 * {@code rke up} registered.
 */
public final class SandboxCluster implements AutoCloseable {
  /**
   * One serialization (Jackson mapper and its introspection caches, about 3 MB once warm) for every
   * sandbox client instead of one per cluster.
   */
  static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  /** The field manager of the writes of the sandbox's controllers (and of {@link #client()}). */
  public static final String CONTROLLERS = "sandbox-kube-controllers";

  private final ClusterYml spec;
  private final SandboxKube sandbox;
  private final ClusterRef ref;
  private final ClusterActivity activity;
  private final MetalLbWebhookGate metalLbWebhook;
  private final ApiServer server;
  private final KubernetesClient client;
  private final KubernetesClient controllerClient;
  private final ClusterReads reads;
  private final ObservedCrudDispatcher store;
  private final String host;
  private final String token = UUID.randomUUID().toString().replace("-", "");
  final AtomicBoolean queued = new AtomicBoolean();
  final AtomicBoolean gathering = new AtomicBoolean();
  final Object reconciling = new Object();

  /**
   * True after a controller pass that wrote nothing and failed nowhere, until the next write: the
   * periodic pass skips settled clusters, so a converged cluster costs nothing.
   */
  volatile boolean settled;

  SandboxCluster(ClusterYml spec, ClusterRef ref, String bindAddress, SandboxKube sandbox) {
    this.spec = spec;
    this.sandbox = sandbox;
    this.ref = ref;
    this.host = bindAddress;
    this.activity = new ClusterActivity(this);
    ObservedCrudDispatcher crud = new ObservedCrudDispatcher(activity);
    this.store = crud;
    this.metalLbWebhook = new MetalLbWebhookGate(crud, spec.serviceCidr());
    ExecDispatcher dispatcher = new ExecDispatcher(metalLbWebhook, this, sandbox);
    this.server = new ApiServer(sandbox.vertx(), bindAddress, dispatcher);
    Config config = Config.fromKubeconfig(kubeconfig());
    // The API server names the manager of a write after the user agent (up to its '/'): the
    // controllers' pods, status and injections are recorded as Updates of CONTROLLERS.
    config.setUserAgent(CONTROLLERS + "/1.0");
    this.client =
        new KubernetesClientBuilder()
            .withConfig(config)
            .withHttpClientFactory(new Vertx5HttpClientFactory(sandbox.vertx()))
            .withKubernetesSerialization(SERIALIZATION)
            .build();
    // The controllers send the same requests, dispatched in their own thread: a kubelet's and a
    // controller manager's traffic is not what the sandbox exists to show, and over HTTP it cost
    // both ends their codec, a thread hop and a socket per write.
    this.controllerClient =
        new KubernetesClientBuilder()
            .withConfig(config)
            .withHttpClientFactory(new DispatchedHttpClient.Factory(dispatcher))
            .withKubernetesSerialization(SERIALIZATION)
            .build();
    this.reads = new ClusterReads(crud, SERIALIZATION);
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
      controllerClient
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
      controllerClient.nodes().resource(node.build()).create();
    }
  }

  /** The cluster name of its cluster.yml. */
  public String name() {
    return spec.clusterName();
  }

  /** The mesh cluster: its name, and its mesh when the cloud sandbox created its nodes. */
  public ClusterRef ref() {
    return ref;
  }

  SandboxKube sandbox() {
    return sandbox;
  }

  ClusterActivity activity() {
    return activity;
  }

  /** Whether the API server can call MetalLB's webhook, and since when. */
  MetalLbWebhookGate metalLbWebhook() {
    return metalLbWebhook;
  }

  /** The identity of the cluster: its first control-plane node's address. */
  public String identity() {
    return spec.identity();
  }

  /** The API server's URL (plain HTTP on the sandbox's address, random port). */
  public String apiServerUrl() {
    return "http://" + host + ":" + server.port();
  }

  /** {@code services.kube-controller.cluster_cidr} of its cluster.yml (RKE default applied). */
  public String podCidr() {
    return spec.podCidr();
  }

  /** {@code services.kube-api.service_cluster_ip_range} of its cluster.yml. */
  public String serviceCidr() {
    return spec.serviceCidr();
  }

  /** An admin client over HTTP (for tests and tools); closed by {@link #close}. */
  public KubernetesClient client() {
    return client;
  }

  /**
   * The sandbox's controllers' admin client: requests of the same user agent and token as {@link
   * #client()}'s, dispatched in the calling thread, without watches or exec.
   */
  KubernetesClient controllerClient() {
    return controllerClient;
  }

  /**
   * Replaces the status of {@code object} as {@code controllerClient().resource(object)
   * .updateStatus()} does, without reading the stored object of the answer into fabric8's model:
   * the controllers never use it (their answers' parsing was a tenth of the CPU after {@code
   * ClusterUp} in a 16-cluster run).
   *
   * @throws KubernetesClientException when the API server refuses it (a conflict, say)
   */
  void replaceStatus(HasMetadata object) {
    sendUnread(
        "PUT", resourcePath(object) + "/" + object.getMetadata().getName() + "/status", object);
  }

  /**
   * Creates {@code object} as {@code controllerClient().resource(object).create()} does, without
   * reading the answer (see {@link #replaceStatus}).
   */
  void createUnread(HasMetadata object) {
    sendUnread("POST", resourcePath(object), object);
  }

  private void sendUnread(String method, String path, HasMetadata object) {
    HttpClient http = controllerClient.getHttpClient();
    String json = SERIALIZATION.asJson(object);
    HttpRequest.Builder request = http.newHttpRequestBuilder().uri(apiServerUrl() + path);
    request =
        method.equals("PUT")
            ? request.put("application/json", json)
            : request.post("application/json", json);
    HttpResponse<String> answer;
    try {
      answer = http.sendAsync(request.build(), String.class).get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KubernetesClientException("interrupted: " + method + " " + path, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new KubernetesClientException("cannot " + method + " " + path, e);
    }
    if (!answer.isSuccessful()) {
      throw new KubernetesClientException(
          method + " " + path + " answered " + answer.code() + ": " + answer.body(),
          answer.code(),
          null);
    }
  }

  /** {@code /api/v1/namespaces/ns/pods}: the collection of {@code object}'s kind and namespace. */
  private static String resourcePath(HasMetadata object) {
    String apiVersion = object.getApiVersion();
    StringBuilder path = new StringBuilder(apiVersion.contains("/") ? "/apis/" : "/api/");
    path.append(apiVersion);
    String ns = object.getMetadata().getNamespace();
    if (ns != null && !ns.isEmpty()) {
      path.append("/namespaces/").append(ns);
    }
    return path.append('/').append(HasMetadata.getPlural(object.getClass())).toString();
  }

  /** The Kubernetes node names, in cluster.yml order. */
  public List<String> nodeNames() {
    return spec.nodes().stream().map(ClusterYml.Node::name).toList();
  }

  /** The nodes' InternalIPs (the fixed IPs of their ports on a cloud), in cluster.yml order. */
  public List<String> nodeAddresses() {
    return spec.nodes().stream().map(ClusterYml.Node::internalAddress).toList();
  }

  List<Node> nodes() {
    return controllerClient.nodes().list().getItems();
  }

  /** The agents' reads of this cluster, answered from memory until its next write. */
  /** How many watches of this cluster's API server are open. */
  int watchesOpen() {
    return store.watchesOpen();
  }

  ClusterReads reads() {
    return reads;
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
    controllerClient.close();
    client.close();
    server.close();
  }
}
