package io.meshorch.cni.adapter.kubernetes;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshorch.cni.domain.CaSecretOutcome;
import io.meshorch.cni.domain.CiliumInstall;
import io.meshorch.cni.domain.CiliumRollout;
import io.meshorch.cni.domain.CiliumValues;
import io.meshorch.cni.domain.MeshCa;
import io.meshorch.cni.port.CiliumInstallerPort;
import io.meshorch.kube.KubeApply;
import io.meshorch.kube.KubeCalls;
import io.meshorch.kube.KubeClientProvider;
import io.meshorch.kube.KubeWatches;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Installs Cilium with fabric8: every object of the official chart ({@link CiliumChart}) is
 * server-side applied with field manager {@code meshorch-cni} ({@link KubeApply}, forced), in
 * dependency order, so that an unchanged object changes nothing and fields other writers own (the
 * agents' {@code hostAliases} mesh-service adds, lb-service's annotation on the Service, status)
 * are kept. The CA Secret is read first, so that a cluster holding another CA is never touched. The
 * rollout is read on demand and watched, so that a waiting step hears of every change at once.
 */
public final class Fabric8CiliumInstaller implements CiliumInstallerPort {
  private static final Logger log = LoggerFactory.getLogger(Fabric8CiliumInstaller.class);
  private static final String NS = CiliumValues.NAMESPACE;

  /** cni-service's writes: field manager {@code meshorch-cni}. */
  private static final KubeApply APPLY = new KubeApply("cni");

  private final KubeClientProvider clients;
  private final CiliumChart chart;

  /**
   * @param clients builds clients from kubeconfig references
   * @param chart renders the Cilium objects
   */
  public Fabric8CiliumInstaller(KubeClientProvider clients, CiliumChart chart) {
    this.clients = clients;
    this.chart = chart;
  }

  @Override
  public CaSecretOutcome caSecret(String kubeconfigRef, MeshCa ca) {
    String what = "Secret " + NS + "/" + CiliumValues.CA_SECRET;
    try (KubernetesClient client = clients.forCluster(kubeconfigRef)) {
      Secret existing = KubeCalls.call("read " + what, () -> caSecret(client));
      if (existing == null) {
        return CaSecretOutcome.ABSENT;
      }
      return holds(existing, ca) ? CaSecretOutcome.SAME_CA : CaSecretOutcome.DIFFERENT_CA;
    }
  }

  @Override
  public String apply(String kubeconfigRef, CiliumInstall install) {
    List<HasMetadata> objects;
    String version;
    // The client first: a missing kubeconfig fails before a render is spent.
    try (KubernetesClient client = clients.forCluster(kubeconfigRef)) {
      objects = chart.objects(install);
      version = CiliumChart.version(objects);
      for (HasMetadata object : objects) {
        APPLY.apply(client, object);
      }
    }
    log.info(
        "Cilium v{} applied from chart {}: {} objects (cluster {}, id {})",
        version,
        chart.archiveName(),
        objects.size(),
        install.cluster().clusterName(),
        install.cluster().clusterId());
    return version;
  }

  @Override
  public CiliumRollout rollout(String kubeconfigRef) {
    try (KubernetesClient client = clients.forCluster(kubeconfigRef)) {
      DaemonSet agents =
          KubeCalls.call(
              "read DaemonSet " + NS + "/" + CiliumValues.AGENT,
              () -> client.apps().daemonSets().inNamespace(NS).withName(CiliumValues.AGENT).get());
      return rolloutOf(
          agents,
          available(read(client, CiliumValues.OPERATOR)),
          available(read(client, CiliumValues.CLUSTERMESH_APISERVER)));
    }
  }

  private static CiliumRollout rolloutOf(
      DaemonSet agents, int operatorAvailable, int apiserverAvailable) {
    int desired = 0;
    int ready = 0;
    if (agents != null && agents.getStatus() != null) {
      desired = orZero(agents.getStatus().getDesiredNumberScheduled());
      ready = orZero(agents.getStatus().getNumberReady());
    }
    return new CiliumRollout(desired, ready, operatorAvailable, apiserverAvailable);
  }

  @Override
  public RolloutWatch watchRollout(String kubeconfigRef, Runnable onChange) {
    KubernetesClient client = clients.forCluster(kubeconfigRef);
    KubeWatches.Followed<DaemonSet> agents =
        KubeWatches.follow(
            "DaemonSet " + NS + "/" + CiliumValues.AGENT,
            client.apps().daemonSets().inNamespace(NS).withName(CiliumValues.AGENT),
            onChange);
    // One watch for both Deployments: a change to another Deployment of kube-system only costs an
    // extra look at what the watches have seen.
    KubeWatches.Followed<Deployment> deployments =
        KubeWatches.follow(
            "Deployments of " + NS, client.apps().deployments().inNamespace(NS), onChange);
    return new RolloutWatch() {
      @Override
      public Optional<CiliumRollout> seen(Duration fresh) {
        Optional<DaemonSet> agentSet = agents.latest(CiliumValues.AGENT);
        Optional<Deployment> operator = deployments.latest(CiliumValues.OPERATOR);
        Optional<Deployment> apiserver = deployments.latest(CiliumValues.CLUSTERMESH_APISERVER);
        if (!(agents.heardWithin(fresh) || deployments.heardWithin(fresh))
            || agentSet.isEmpty()
            || operator.isEmpty()
            || apiserver.isEmpty()) {
          return Optional.empty();
        }
        return Optional.of(
            rolloutOf(agentSet.get(), available(operator.get()), available(apiserver.get())));
      }

      @Override
      public void close() {
        closeQuietly(agents);
        closeQuietly(deployments);
        client.close();
      }
    };
  }

  private static void closeQuietly(AutoCloseable watch) {
    try {
      watch.close();
    } catch (Exception e) {
      log.debug("closing a rollout watch failed: {}", e.toString());
    }
  }

  private static Deployment read(KubernetesClient client, String name) {
    return KubeCalls.call(
        "read Deployment " + NS + "/" + name,
        () -> client.apps().deployments().inNamespace(NS).withName(name).get());
  }

  private static int available(Deployment deployment) {
    return deployment == null || deployment.getStatus() == null
        ? 0
        : orZero(deployment.getStatus().getAvailableReplicas());
  }

  private static Secret caSecret(KubernetesClient client) {
    return client.secrets().inNamespace(NS).withName(CiliumValues.CA_SECRET).get();
  }

  private static boolean holds(Secret secret, MeshCa ca) {
    return ca.matches(
        value(secret, CiliumValues.CA_CERT_KEY), value(secret, CiliumValues.CA_KEY_KEY));
  }

  /** A value of the Secret: base64 in {@code data}, or plain in {@code stringData}; or null. */
  private static String value(Secret secret, String key) {
    Map<String, String> data = secret.getData();
    if (data != null && data.get(key) != null) {
      try {
        return new String(Base64.getDecoder().decode(data.get(key)), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        return null;
      }
    }
    Map<String, String> plain = secret.getStringData();
    return plain == null ? null : plain.get(key);
  }

  private static int orZero(Integer value) {
    return value == null ? 0 : value;
  }
}
