package io.meshorch.mesh.adapter.kubernetes;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.HostAlias;
import io.fabric8.kubernetes.api.model.HostAliasBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.ExecWatch;
import io.meshorch.kit.failure.TerminalFailure;
import io.meshorch.kit.failure.TransientFailure;
import io.meshorch.kube.KubeApply;
import io.meshorch.kube.KubeClientProvider;
import io.meshorch.kube.KubeFailures;
import io.meshorch.kube.KubeWatches;
import io.meshorch.mesh.domain.AgentReport;
import io.meshorch.mesh.domain.ApiserverRollout;
import io.meshorch.mesh.domain.CiliumCa;
import io.meshorch.mesh.domain.RemoteCluster;
import io.meshorch.mesh.domain.RemoteStatus;
import io.meshorch.mesh.port.ClusterMeshPort;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ClusterMeshPort} over the Kubernetes API with fabric8: writes what the Cilium chart
 * renders for {@code clustermesh.config.clusters} (Secrets {@code cilium-clustermesh} and {@code
 * cilium-kvstoremesh}, the host aliases of the clustermesh-apiserver) by server-side apply with
 * field manager {@code meshorch-mesh}, reads the cluster's Cilium CA ({@link CiliumCaSecret}), and
 * reads the agents through {@code exec} (WebSocket) of {@code cilium-dbg}.
 */
public final class Fabric8ClusterMeshAdapter implements ClusterMeshPort {
  static final String NAMESPACE = "kube-system";
  static final String AGENT_SECRET = "cilium-clustermesh";
  static final String KVSTOREMESH_SECRET = "cilium-kvstoremesh";
  static final String APISERVER = "clustermesh-apiserver";
  static final String HELM_RELEASE = "cilium";
  static final String AGENT_LABEL = "k8s-app";
  static final String AGENT_LABEL_VALUE = "cilium";
  static final String[] NODE_LIST = {"cilium-dbg", "node", "list", "-o", "json"};
  static final String[] STATUS = {"cilium-dbg", "status", "-o", "json"};
  static final String KVSTOREMESH_CONTAINER = "kvstoremesh";
  static final String[] KVSTOREMESH_STATUS = {
    "clustermesh-apiserver", "kvstoremesh-dbg", "status", "-o", "json"
  };

  private static final Logger log = LoggerFactory.getLogger(Fabric8ClusterMeshAdapter.class);

  private final KubeClientProvider clients;
  private final KubeApply apply = new KubeApply("mesh");
  private final Duration execTimeout;
  private final String agentContainer;

  /**
   * @param clients builds clients from the kubeconfigs in the secret store
   * @param execTimeout how long one {@code cilium-dbg} exec may take
   * @param agentContainer the container of the agent pods to exec into ({@code cilium-agent})
   */
  public Fabric8ClusterMeshAdapter(
      KubeClientProvider clients, Duration execTimeout, String agentContainer) {
    this.clients = clients;
    this.execTimeout = execTimeout;
    this.agentContainer = agentContainer;
  }

  @Override
  public CiliumCa ciliumCa(String kubeconfigRef) {
    try (KubernetesClient client = clients.forCluster(kubeconfigRef)) {
      return CiliumCaSecret.read(client);
    }
  }

  @Override
  public boolean writeMeshConfig(String kubeconfigRef, List<RemoteCluster> remotes) {
    List<RemoteCluster> sorted =
        remotes.stream().sorted(Comparator.comparing(RemoteCluster::name)).toList();
    try (KubernetesClient client = clients.forCluster(kubeconfigRef)) {
      Deployment apiserver =
          client.apps().deployments().inNamespace(NAMESPACE).withName(APISERVER).get();
      if (apiserver == null) {
        throw new TerminalFailure(
            "CILIUM_NOT_INSTALLED",
            "Deployment "
                + NAMESPACE
                + "/"
                + APISERVER
                + " does not exist (Cilium must be installed with clustermesh.useAPIServer=true)");
      }
      boolean changed = false;
      for (HasMetadata desired : connectionObjects(sorted)) {
        Object before = ownedPart(client.resource(desired).get());
        HasMetadata stored = apply.apply(client, desired);
        if (!Objects.equals(before, ownedPart(stored))) {
          changed = true;
          log.info(
              "applied {} {}/{} for remotes {}",
              desired.getKind(),
              NAMESPACE,
              desired.getMetadata().getName(),
              sorted.stream().map(RemoteCluster::name).toList());
        }
      }
      return changed;
    } catch (KubernetesClientException e) {
      throw KubeFailures.classify("write the mesh configuration", e);
    }
  }

  @Override
  public ApiserverRollout apiserverRollout(String kubeconfigRef) {
    try (KubernetesClient client = clients.forCluster(kubeconfigRef)) {
      Deployment d = client.apps().deployments().inNamespace(NAMESPACE).withName(APISERVER).get();
      if (d == null) {
        throw new TerminalFailure(
            "CILIUM_NOT_INSTALLED",
            "Deployment " + NAMESPACE + "/" + APISERVER + " does not exist");
      }
      return rolloutOf(d);
    } catch (KubernetesClientException e) {
      throw KubeFailures.classify("read Deployment " + NAMESPACE + "/" + APISERVER, e);
    }
  }

  private static ApiserverRollout rolloutOf(Deployment d) {
    var status = d.getStatus();
    Integer wanted = d.getSpec() == null ? null : d.getSpec().getReplicas();
    return new ApiserverRollout(
        orZero(d.getMetadata().getGeneration()),
        status == null ? 0 : orZero(status.getObservedGeneration()),
        wanted == null ? 1 : wanted,
        status == null ? 0 : orZero(status.getUpdatedReplicas()),
        status == null ? 0 : orZero(status.getAvailableReplicas()),
        status == null ? 0 : orZero(status.getReplicas()));
  }

  @Override
  public ApiserverWatch watchApiserver(String kubeconfigRef, Runnable onChange) {
    KubernetesClient client = clients.forCluster(kubeconfigRef);
    KubeWatches.Followed<Deployment> watch =
        KubeWatches.follow(
            "Deployment " + NAMESPACE + "/" + APISERVER,
            client.apps().deployments().inNamespace(NAMESPACE).withName(APISERVER),
            onChange);
    return new ApiserverWatch() {
      @Override
      public Optional<ApiserverRollout> seen(Duration fresh) {
        return watch.heardWithin(fresh)
            ? watch.latest(APISERVER).map(Fabric8ClusterMeshAdapter::rolloutOf)
            : Optional.empty();
      }

      @Override
      public void close() {
        try {
          watch.close();
        } finally {
          client.close();
        }
      }
    };
  }

  private static long orZero(Long value) {
    return value == null ? 0 : value;
  }

  private static int orZero(Integer value) {
    return value == null ? 0 : value;
  }

  /**
   * The fields of the cluster's objects that the Cilium chart renders from {@code
   * clustermesh.config.clusters} with KVStoreMesh on (the default), as partial objects for a
   * server-side apply: only what mesh-service owns.
   *
   * <ul>
   *   <li>Secret {@code cilium-clustermesh}, read by the agents: per remote, the local
   *       clustermesh-apiserver (its KVStoreMesh) with the {@code local-} certificate;
   *   <li>Secret {@code cilium-kvstoremesh}, read by the clustermesh-apiserver's {@code
   *       kvstoremesh} container: per remote, {@code https://<name>.mesh.cilium.io:<port>} with the
   *       {@code common-} (remote) certificate;
   *   <li>Deployment {@code clustermesh-apiserver}: one host alias per remote (its IP for {@code
   *       <name>.mesh.cilium.io}); the agents get none with KVStoreMesh on.
   * </ul>
   */
  static List<HasMetadata> connectionObjects(List<RemoteCluster> remotes) {
    Map<String, String> agents = new LinkedHashMap<>();
    Map<String, String> kvstoremesh = new LinkedHashMap<>();
    List<HostAlias> aliases = new ArrayList<>();
    for (RemoteCluster r : remotes) {
      agents.put(r.name(), base64(EtcdConfigYaml.write(r.agentConfig())));
      kvstoremesh.put(r.name(), base64(EtcdConfigYaml.write(r.kvstoremeshConfig())));
      aliases.add(new HostAliasBuilder().withIp(r.ip()).withHostnames(r.hostname()).build());
    }
    Deployment hostAliases =
        new DeploymentBuilder()
            .withNewMetadata()
            .withName(APISERVER)
            .withNamespace(NAMESPACE)
            .endMetadata()
            .withNewSpec()
            .withNewTemplate()
            .withNewSpec()
            .withHostAliases(aliases)
            .endSpec()
            .endTemplate()
            .endSpec()
            .build();
    return List.of(
        secret(AGENT_SECRET, agents), secret(KVSTOREMESH_SECRET, kvstoremesh), hostAliases);
  }

  /**
   * A partial Secret with {@code data} and Helm's release metadata of the chart's release {@code
   * cilium}: cni-service applies these Secrets only when its values enable {@code
   * clustermesh.config}, so mesh-service may be the one that creates them, and a later {@code helm
   * upgrade --install} must be able to adopt them (both managers then share the same labels).
   */
  private static Secret secret(String name, Map<String, String> data) {
    return KubeApply.asHelmRelease(
        new SecretBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(NAMESPACE)
            .endMetadata()
            .withData(data)
            .build(),
        HELM_RELEASE,
        NAMESPACE);
  }

  private static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The part of an object a connection apply can change: a Secret's data, a Deployment's pod
   * template (its status changes on its own, as the controller rolls the pods out).
   */
  private static Object ownedPart(HasMetadata object) {
    if (object instanceof Secret secret) {
      return secret.getData() == null ? Map.of() : secret.getData();
    }
    if (object instanceof Deployment deployment && deployment.getSpec() != null) {
      return deployment.getSpec().getTemplate();
    }
    return object;
  }

  @Override
  public List<AgentReport> agentReports(String kubeconfigRef, boolean explainGaps) {
    try (KubernetesClient client = clients.forCluster(kubeconfigRef)) {
      List<Pod> pods =
          client
              .pods()
              .inNamespace(NAMESPACE)
              .withLabel(AGENT_LABEL, AGENT_LABEL_VALUE)
              .list()
              .getItems();
      List<AgentReport> reports = new ArrayList<>();
      for (Pod pod : pods) {
        if (pod.getMetadata().getDeletionTimestamp() == null) {
          reports.add(report(client, pod.getMetadata().getName()));
        }
      }
      boolean gaps =
          explainGaps
              && reports.stream().flatMap(r -> r.remotes().stream()).anyMatch(r -> !r.ready());
      return gaps ? withKvstoremeshCause(reports, kvstoremeshView(client)) : reports;
    } catch (KubernetesClientException e) {
      throw KubeFailures.classify("list the Cilium agent pods", e);
    }
  }

  /**
   * With KVStoreMesh on, agents reach every remote through the local clustermesh-apiserver, so an
   * agent only knows that a remote is missing from its cache; why (the remote's endpoint
   * unreachable, its certificate refused) is known by the {@code kvstoremesh} container, which
   * dialled it. Its view, by remote name; empty when KVStoreMesh does not run or cannot be read
   * (the agents' words are then all there is).
   */
  private Map<String, RemoteStatus> kvstoremeshView(KubernetesClient client) {
    List<Pod> pods =
        client
            .pods()
            .inNamespace(NAMESPACE)
            .withLabel(AGENT_LABEL, APISERVER)
            .list()
            .getItems()
            .stream()
            .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
            .toList();
    Map<String, RemoteStatus> view = new LinkedHashMap<>();
    for (Pod pod : pods) {
      try {
        String json =
            execIn(client, pod.getMetadata().getName(), KVSTOREMESH_CONTAINER, KVSTOREMESH_STATUS);
        AgentJson.kvstoremeshRemotes(json).forEach(r -> view.putIfAbsent(r.name(), r));
        return view;
      } catch (TransientFailure | IllegalArgumentException | KubernetesClientException e) {
        log.debug(
            "kvstoremesh of {} cannot be read: {}", pod.getMetadata().getName(), e.getMessage());
      }
    }
    return view;
  }

  /** Gives each remote an agent lacks the cause KVStoreMesh reports for it, if it has one. */
  static List<AgentReport> withKvstoremeshCause(
      List<AgentReport> reports, Map<String, RemoteStatus> kvstoremesh) {
    if (kvstoremesh.isEmpty()) {
      return reports;
    }
    List<AgentReport> out = new ArrayList<>();
    for (AgentReport report : reports) {
      List<RemoteStatus> remotes = new ArrayList<>();
      for (RemoteStatus r : report.remotes()) {
        RemoteStatus cached = kvstoremesh.get(r.name());
        if (r.ready() || cached == null || cached.ready()) {
          remotes.add(r);
        } else {
          String cause = cached.lastFailure() != null ? cached.lastFailure() : cached.status();
          remotes.add(
              new RemoteStatus(r.name(), false, r.status(), r.numNodes(), "kvstoremesh: " + cause));
        }
      }
      out.add(new AgentReport(report.pod(), report.nodes(), remotes, report.error()));
    }
    return out;
  }

  private AgentReport report(KubernetesClient client, String pod) {
    try {
      List<String> nodes = AgentJson.nodeNames(exec(client, pod, NODE_LIST));
      var remotes = AgentJson.remotes(exec(client, pod, STATUS));
      return AgentReport.of(pod, nodes, remotes);
    } catch (TransientFailure | IllegalArgumentException e) {
      log.debug("agent {} cannot be read: {}", pod, e.getMessage());
      return AgentReport.unreadable(pod, e.getMessage());
    } catch (KubernetesClientException e) {
      return AgentReport.unreadable(
          pod, KubeFailures.classify("exec " + String.join(" ", NODE_LIST), e).getMessage());
    }
  }

  /** Runs {@code command} in the agent container and returns its standard output. */
  String exec(KubernetesClient client, String pod, String... command) {
    return execIn(client, pod, agentContainer, command);
  }

  /** Exec attempts when the WebSocket upgrade does not complete (the command never started). */
  static final int EXEC_ATTEMPTS = 2;

  /**
   * Runs {@code command} in {@code container} of {@code pod} and returns its standard output. An
   * exec whose WebSocket upgrade does not complete within the client's request timeout (the wait
   * that spaces the attempts) is tried once more, the commands only read: such stalls happen,
   * rarely, even against a healthy server (fabric8io/kubernetes-client#7737), and without the retry
   * one cost a whole validation round.
   */
  private String execIn(KubernetesClient client, String pod, String container, String... command) {
    for (int attempt = 1; ; attempt++) {
      try {
        return execOnce(client, pod, container, command);
      } catch (KubernetesClientException e) {
        if (attempt >= EXEC_ATTEMPTS || !upgradeTimedOut(e)) {
          throw e;
        }
        log.info(
            "exec {} in {}: the WebSocket upgrade did not complete; trying again",
            String.join(" ", command),
            pod);
      }
    }
  }

  private static boolean upgradeTimedOut(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof TimeoutException) {
        return true;
      }
    }
    return false;
  }

  private String execOnce(
      KubernetesClient client, String pod, String container, String... command) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    String what = String.join(" ", command);
    try (ExecWatch watch =
        client
            .pods()
            .inNamespace(NAMESPACE)
            .withName(pod)
            .inContainer(container)
            .writingOutput(out)
            .writingError(err)
            .exec(command)) {
      Integer code = watch.exitCode().get(execTimeout.toMillis(), TimeUnit.MILLISECONDS);
      if (code == null || code != 0) {
        throw new TransientFailure(
            "AGENT_EXEC_FAILED",
            what + " exited with " + code + ": " + firstLine(err.toString(StandardCharsets.UTF_8)));
      }
    } catch (TimeoutException e) {
      throw new TransientFailure(
          "AGENT_EXEC_TIMEOUT", what + " did not finish within " + execTimeout, e);
    } catch (ExecutionException e) {
      throw new TransientFailure(
          "AGENT_EXEC_FAILED", what + " failed: " + e.getCause().getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TransientFailure("INTERRUPTED", what + " was interrupted", e);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static String firstLine(String text) {
    String trimmed = text.strip();
    int newline = trimmed.indexOf('\n');
    return newline < 0 ? trimmed : trimmed.substring(0, newline);
  }
}
