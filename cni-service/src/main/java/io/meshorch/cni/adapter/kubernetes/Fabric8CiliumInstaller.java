package io.meshorch.cni.adapter.kubernetes;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.HostAlias;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.meshorch.cni.domain.CaSecretOutcome;
import io.meshorch.cni.domain.CiliumManifest;
import io.meshorch.cni.domain.CiliumRollout;
import io.meshorch.cni.domain.MeshCa;
import io.meshorch.cni.domain.Workload;
import io.meshorch.cni.port.CiliumInstallerPort;
import io.meshorch.kube.KubeCalls;
import io.meshorch.kube.KubeClientProvider;
import io.meshorch.kube.KubeFailures;
import io.meshorch.kube.KubeWatches;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Installs Cilium with fabric8, object by object, in {@code kube-system}. Objects are written with
 * the configured {@link ApplyMode} and carry the digest of their desired content, so that an
 * unchanged object is not written again; the CA Secret is only ever created, never replaced. The
 * rollout is read on demand and watched, so that a waiting step hears of every change at once.
 */
public final class Fabric8CiliumInstaller implements CiliumInstallerPort {
  /** Annotation holding the SHA-256 of what cni-service last wrote to an object. */
  public static final String APPLIED_DIGEST = "meshorch.io/applied-digest";

  /** Field manager of server-side apply. */
  public static final String FIELD_MANAGER = "meshorch-cni-service";

  private static final Logger log = LoggerFactory.getLogger(Fabric8CiliumInstaller.class);
  private static final String NS = CiliumManifest.NAMESPACE;

  private final KubeClientProvider clients;
  private final ApplyMode mode;

  /**
   * @param clients builds clients from kubeconfig references
   * @param mode how objects are written (update for any API server, server-side for real ones)
   */
  public Fabric8CiliumInstaller(KubeClientProvider clients, ApplyMode mode) {
    this.clients = clients;
    this.mode = mode;
  }

  @Override
  public CaSecretOutcome ensureCaSecret(String kubeconfigRef, MeshCa ca) {
    String what = "Secret " + NS + "/" + CiliumManifest.CA_SECRET;
    try (KubernetesClient client = clients.forCluster(kubeconfigRef)) {
      Secret existing = KubeCalls.call("read " + what, () -> caSecret(client));
      if (existing == null) {
        try {
          client.secrets().inNamespace(NS).resource(CiliumObjects.caSecret(ca)).create();
          log.info("created {} with the mesh CA", what);
          return CaSecretOutcome.CREATED;
        } catch (KubernetesClientException e) {
          if (e.getCode() != 409) {
            throw KubeFailures.classify("create " + what, e);
          }
          // Created by someone else since the read: judge what is there now.
          existing = KubeCalls.call("read " + what, () -> caSecret(client));
        }
      }
      return holds(existing, ca) ? CaSecretOutcome.ALREADY_PRESENT : CaSecretOutcome.DIFFERENT_CA;
    }
  }

  @Override
  public void apply(String kubeconfigRef, CiliumManifest manifest) {
    try (KubernetesClient client = clients.forCluster(kubeconfigRef)) {
      apply(client, CiliumObjects.configMap(manifest));
      manifest.serviceAccounts().forEach(sa -> apply(client, CiliumObjects.serviceAccount(sa)));
      for (Workload workload : manifest.workloads()) {
        if (workload.kind() == Workload.Kind.DAEMON_SET) {
          apply(client, CiliumObjects.daemonSet(workload));
        } else {
          apply(client, CiliumObjects.deployment(workload));
        }
      }
      log.info(
          "Cilium v{} applied in {} (cluster {}, id {})",
          manifest.release().version(),
          NS,
          manifest.clusterName(),
          manifest.clusterId());
    }
  }

  @Override
  public CiliumRollout rollout(String kubeconfigRef) {
    try (KubernetesClient client = clients.forCluster(kubeconfigRef)) {
      DaemonSet agents =
          KubeCalls.call(
              "read DaemonSet " + NS + "/" + CiliumManifest.AGENT,
              () ->
                  client.apps().daemonSets().inNamespace(NS).withName(CiliumManifest.AGENT).get());
      int desired = 0;
      int ready = 0;
      if (agents != null && agents.getStatus() != null) {
        desired = orZero(agents.getStatus().getDesiredNumberScheduled());
        ready = orZero(agents.getStatus().getNumberReady());
      }
      return new CiliumRollout(
          desired,
          ready,
          available(client, CiliumManifest.OPERATOR),
          available(client, CiliumManifest.CLUSTERMESH_APISERVER));
    }
  }

  @Override
  public AutoCloseable watchRollout(String kubeconfigRef, Runnable onChange) {
    KubernetesClient client = clients.forCluster(kubeconfigRef);
    AutoCloseable agents =
        KubeWatches.nudgeOnChange(
            "DaemonSet " + NS + "/" + CiliumManifest.AGENT,
            client.apps().daemonSets().inNamespace(NS).withName(CiliumManifest.AGENT),
            onChange);
    // One watch for both Deployments: a change to another Deployment of kube-system only costs an
    // extra status read.
    AutoCloseable deployments =
        KubeWatches.nudgeOnChange(
            "Deployments of " + NS, client.apps().deployments().inNamespace(NS), onChange);
    return () -> {
      closeQuietly(agents);
      closeQuietly(deployments);
      client.close();
    };
  }

  private static void closeQuietly(AutoCloseable watch) {
    try {
      watch.close();
    } catch (Exception e) {
      log.debug("closing a rollout watch failed: {}", e.toString());
    }
  }

  private static int available(KubernetesClient client, String name) {
    Deployment deployment =
        KubeCalls.call(
            "read Deployment " + NS + "/" + name,
            () -> client.apps().deployments().inNamespace(NS).withName(name).get());
    return deployment == null || deployment.getStatus() == null
        ? 0
        : orZero(deployment.getStatus().getAvailableReplicas());
  }

  /**
   * Writes {@code desired} with the configured mode, stamped with a digest of its content in
   * annotation {@value #APPLIED_DIGEST}. In update mode an object that already carries the same
   * digest is left alone: no write, no rollout, and fields other writers added stay as they are.
   */
  private void apply(KubernetesClient client, HasMetadata desired) {
    String what = desired.getKind() + " " + NS + "/" + desired.getMetadata().getName();
    String digest = digest(client, desired);
    Map<String, String> annotations = new TreeMap<>();
    if (desired.getMetadata().getAnnotations() != null) {
      annotations.putAll(desired.getMetadata().getAnnotations());
    }
    annotations.put(APPLIED_DIGEST, digest);
    desired.getMetadata().setAnnotations(annotations);
    if (mode == ApplyMode.SERVER_SIDE) {
      KubeCalls.call(
          "apply " + what,
          () ->
              client
                  .resource(desired)
                  .fieldManager(FIELD_MANAGER)
                  .forceConflicts()
                  .serverSideApply());
      log.info("applied {} (server-side)", what);
      return;
    }
    HasMetadata existing = KubeCalls.call("read " + what, () -> client.resource(desired).get());
    if (existing != null && digest.equals(annotation(existing, APPLIED_DIGEST))) {
      log.debug("{} is up to date", what);
      return;
    }
    if (existing instanceof DaemonSet current && desired instanceof DaemonSet wanted) {
      keepHostAliases(current, wanted);
    }
    KubeCalls.call(
        (existing == null ? "create " : "update ") + what,
        () -> client.resource(desired).createOr(NonDeletingOperation::update));
    log.info("{} {}", existing == null ? "created" : "updated", what);
  }

  /**
   * A full update would drop the {@code hostAliases} mesh-service patched into the agents' pod
   * template (and roll every agent): carry them over.
   */
  private static void keepHostAliases(DaemonSet existing, DaemonSet desired) {
    if (existing.getSpec() != null
        && existing.getSpec().getTemplate() != null
        && existing.getSpec().getTemplate().getSpec() != null) {
      List<HostAlias> aliases = existing.getSpec().getTemplate().getSpec().getHostAliases();
      if (aliases != null && !aliases.isEmpty()) {
        desired.getSpec().getTemplate().getSpec().setHostAliases(aliases);
      }
    }
  }

  private static String digest(KubernetesClient client, HasMetadata desired) {
    byte[] json =
        client.getKubernetesSerialization().asJson(desired).getBytes(StandardCharsets.UTF_8);
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(json));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  private static String annotation(HasMetadata object, String key) {
    Map<String, String> annotations = object.getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get(key);
  }

  private static Secret caSecret(KubernetesClient client) {
    return client.secrets().inNamespace(NS).withName(CiliumManifest.CA_SECRET).get();
  }

  private static boolean holds(Secret secret, MeshCa ca) {
    return ca.matches(
        value(secret, CiliumManifest.CA_CERT_KEY), value(secret, CiliumManifest.CA_KEY_KEY));
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
