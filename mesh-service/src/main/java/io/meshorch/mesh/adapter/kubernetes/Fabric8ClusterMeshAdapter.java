package io.meshorch.mesh.adapter.kubernetes;

import io.fabric8.kubernetes.api.model.HostAlias;
import io.fabric8.kubernetes.api.model.HostAliasBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.ExecWatch;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.meshorch.kit.failure.TerminalFailure;
import io.meshorch.kit.failure.TransientFailure;
import io.meshorch.kube.KubeClientProvider;
import io.meshorch.kube.KubeFailures;
import io.meshorch.mesh.domain.AgentReport;
import io.meshorch.mesh.domain.RemoteCluster;
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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ClusterMeshPort} over the Kubernetes API with fabric8: writes Secret {@code
 * kube-system/cilium-clustermesh} and the host aliases of DaemonSet {@code kube-system/cilium}, and
 * reads the agents through {@code exec} (WebSocket) of {@code cilium-dbg}.
 */
public final class Fabric8ClusterMeshAdapter implements ClusterMeshPort {
  static final String NAMESPACE = "kube-system";
  static final String SECRET = "cilium-clustermesh";
  static final String DAEMON_SET = "cilium";
  static final String AGENT_LABEL = "k8s-app";
  static final String AGENT_LABEL_VALUE = "cilium";
  static final String[] NODE_LIST = {"cilium-dbg", "node", "list", "-o", "json"};
  static final String[] STATUS = {"cilium-dbg", "status", "-o", "json"};

  private static final Logger log = LoggerFactory.getLogger(Fabric8ClusterMeshAdapter.class);

  private final KubeClientProvider clients;
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
  public boolean writeMeshConfig(String kubeconfigRef, List<RemoteCluster> remotes) {
    List<RemoteCluster> sorted =
        remotes.stream().sorted(Comparator.comparing(RemoteCluster::name)).toList();
    try (KubernetesClient client = clients.forCluster(kubeconfigRef)) {
      boolean secret = ensureSecret(client, sorted);
      boolean aliases = ensureHostAliases(client, sorted);
      return secret || aliases;
    } catch (KubernetesClientException e) {
      throw KubeFailures.classify("write the mesh configuration", e);
    }
  }

  private static boolean ensureSecret(KubernetesClient client, List<RemoteCluster> remotes) {
    Map<String, String> data = new LinkedHashMap<>();
    for (RemoteCluster r : remotes) {
      data.put(
          r.name(),
          Base64.getEncoder().encodeToString(r.etcdConfig().getBytes(StandardCharsets.UTF_8)));
    }
    Secret current = client.secrets().inNamespace(NAMESPACE).withName(SECRET).get();
    if (current != null && data.equals(current.getData() == null ? Map.of() : current.getData())) {
      return false;
    }
    Secret desired =
        new SecretBuilder()
            .withNewMetadata()
            .withName(SECRET)
            .withNamespace(NAMESPACE)
            .addToLabels("app.kubernetes.io/managed-by", "mesh-service")
            .endMetadata()
            .withType("Opaque")
            .withData(data)
            .build();
    client
        .secrets()
        .inNamespace(NAMESPACE)
        .resource(desired)
        .createOr(NonDeletingOperation::update);
    log.info("wrote Secret {}/{} with remotes {}", NAMESPACE, SECRET, data.keySet());
    return true;
  }

  private static boolean ensureHostAliases(KubernetesClient client, List<RemoteCluster> remotes) {
    var resource = client.apps().daemonSets().inNamespace(NAMESPACE).withName(DAEMON_SET);
    DaemonSet current = resource.get();
    if (current == null) {
      throw new TerminalFailure(
          "CILIUM_NOT_INSTALLED", "DaemonSet " + NAMESPACE + "/" + DAEMON_SET + " does not exist");
    }
    List<HostAlias> existing = current.getSpec().getTemplate().getSpec().getHostAliases();
    List<HostAlias> desired = desiredAliases(existing == null ? List.of() : existing, remotes);
    if (desired.equals(existing == null ? List.of() : existing)) {
      return false;
    }
    resource.edit(
        ds -> {
          ds.getSpec().getTemplate().getSpec().setHostAliases(desired);
          return ds;
        });
    log.info(
        "set host aliases of DaemonSet {}/{} for remotes {}",
        NAMESPACE,
        DAEMON_SET,
        remotes.stream().map(RemoteCluster::name).toList());
    return true;
  }

  /** Keeps aliases that are not ours, then one alias per remote, in remote-name order. */
  static List<HostAlias> desiredAliases(List<HostAlias> existing, List<RemoteCluster> remotes) {
    List<HostAlias> out = new ArrayList<>();
    for (HostAlias alias : existing) {
      boolean ours =
          alias.getHostnames() != null
              && alias.getHostnames().stream().anyMatch(h -> h.endsWith(RemoteCluster.DOMAIN));
      if (!ours) {
        out.add(alias);
      }
    }
    for (RemoteCluster r : remotes) {
      out.add(new HostAliasBuilder().withIp(r.ip()).withHostnames(r.hostname()).build());
    }
    return out;
  }

  @Override
  public List<AgentReport> agentReports(String kubeconfigRef) {
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
      return reports;
    } catch (KubernetesClientException e) {
      throw KubeFailures.classify("list the Cilium agent pods", e);
    }
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
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    String what = String.join(" ", command);
    try (ExecWatch watch =
        client
            .pods()
            .inNamespace(NAMESPACE)
            .withName(pod)
            .inContainer(agentContainer)
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
