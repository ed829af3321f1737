package io.meshorch.sandbox.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.meshorch.sandbox.core.SandboxStep;
import io.meshorch.sandbox.core.SideEffect;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happened on one cluster's API server and when, as the timing of the sandbox needs it: when
 * each DaemonSet or Deployment was created or got a new pod template (its rollout started), when
 * each key of Secret {@code kube-system/cilium-clustermesh} last changed, since when a LoadBalancer
 * Service could be assigned. Fed by {@link ObservedCrudDispatcher} at the moment of each write
 * (exact times, whatever the controllers' backlog), read by the controllers. Counts the installs
 * and mesh-connection writes. Thread-safe.
 */
final class ClusterActivity implements ObservedCrudDispatcher.Listener {
  private static final Logger log = LoggerFactory.getLogger(ClusterActivity.class);
  private static final KubernetesSerialization JSON = SandboxCluster.SERIALIZATION;
  static final String MESH_SECRET = "cilium-clustermesh";

  /**
   * A rollout of one pod template.
   *
   * @param uid the workload's UID
   * @param templateHash {@link Controllers#templateHash} of the template
   * @param step which latency applies
   * @param startedAt when the workload was created or got this template
   * @param readyAt when its pods run and report ready
   */
  record Rollout(
      String uid, String templateHash, SandboxStep step, Instant startedAt, Instant readyAt) {}

  private final SandboxCluster cluster;
  private final Map<String, Rollout> rollouts = new ConcurrentHashMap<>();
  private final Map<String, String> loggedRollouts = new ConcurrentHashMap<>();
  private final Map<String, String> meshEntries = new TreeMap<>();
  private final Map<String, Instant> meshEntrySince = new HashMap<>();
  private final Map<String, Instant> loggedConnects = new ConcurrentHashMap<>();
  private final Map<String, Instant> assignableSince = new ConcurrentHashMap<>();
  private final Set<Instant> wakeUps = ConcurrentHashMap.newKeySet();
  private final Set<Instant> servedWebhooks = ConcurrentHashMap.newKeySet();
  private final AtomicLong writes = new AtomicLong();

  /**
   * What the controllers need of a stored CRD.
   *
   * @param conversionWebhook whether its conversion goes through a webhook with a client config
   * @param caBundle that client config's CA bundle, or null
   */
  record CrdFacts(boolean conversionWebhook, String caBundle) {}

  /**
   * The CRDs stored, by name: what the controllers' informers would cache, so that a pass does not
   * read (and deserialize) a CRD with its whole schema to learn that it exists.
   */
  private final Map<String, CrdFacts> crds = new ConcurrentHashMap<>();

  ClusterActivity(SandboxCluster cluster) {
    this.cluster = cluster;
  }

  /** How many changes the API server stored so far (the controllers' own included). */
  long writes() {
    return writes.get();
  }

  @Override
  public void changed(String path, String before, String after) {
    Instant now = Instant.now();
    writes.incrementAndGet();
    try {
      if ((path.contains("/daemonsets") || path.contains("/deployments"))
          && !path.endsWith("/status")) {
        // A status write cannot change the pod template.
        workloadChanged(before, after, now);
      } else if (path.contains("/namespaces/kube-system/secrets")) {
        secretChanged(before, after, now);
      } else if (path.contains("/customresourcedefinitions")) {
        crdChanged(before, after);
      }
    } catch (RuntimeException e) {
      log.warn("sandbox: cannot follow a change of {}: {}", path, e.toString());
    }
    // The controllers' own writes (pods, status) need no further pass right away.
    if (!path.contains("/pods") && !path.endsWith("/status")) {
      cluster.settled = false;
      cluster.sandbox().reconcileAfterWrites(cluster);
    }
  }

  private void crdChanged(String before, String after) {
    Map<String, Object> crd = ObservedCrudDispatcher.parse(after != null ? after : before);
    String name = String.valueOf(at(crd, "metadata", "name"));
    if (after == null) {
      crds.remove(name);
      return;
    }
    Object clientConfig = at(crd, "spec", "conversion", "webhook", "clientConfig");
    Object caBundle = at(crd, "spec", "conversion", "webhook", "clientConfig", "caBundle");
    crds.put(
        name, new CrdFacts(clientConfig != null, caBundle == null ? null : caBundle.toString()));
  }

  /** The value under {@code keys} in nested maps, or null. */
  private static Object at(Map<String, Object> object, String... keys) {
    Object node = object;
    for (String key : keys) {
      if (!(node instanceof Map<?, ?> map)) {
        return null;
      }
      node = map.get(key);
    }
    return node;
  }

  /** Whether CRD {@code name} is stored. */
  boolean hasCrd(String name) {
    return crds.containsKey(name);
  }

  /** What the controllers need of CRD {@code name}, if it is stored. */
  Optional<CrdFacts> crd(String name) {
    return Optional.ofNullable(crds.get(name));
  }

  private void workloadChanged(String before, String after, Instant now) {
    if (after == null) {
      HasMetadata gone = JSON.unmarshal(before);
      rollouts.remove(key(gone));
      loggedRollouts.remove(key(gone));
      return;
    }
    HasMetadata workload = JSON.unmarshal(after);
    PodTemplateSpec template = template(workload);
    if (template == null) {
      return;
    }
    String key = key(workload);
    String uid = workload.getMetadata().getUid();
    String hash = Controllers.templateHash(template);
    Rollout current = rollouts.get(key);
    if (current != null && current.uid().equals(uid) && current.templateHash().equals(hash)) {
      return;
    }
    Rollout started = startRollout(workload, hash, now);
    if (before == null) {
      countInstall(workload);
    }
    log.debug("sandbox: {} rolls out until {}", key, started.readyAt());
  }

  /** Records that {@code workload} got template {@code hash} at {@code now}; wakes up on time. */
  Rollout startRollout(HasMetadata workload, String hash, Instant now) {
    SandboxStep step = product(workload);
    Instant readyAt = now.plus(cluster.sandbox().latencies().of(step, cluster.ref()));
    Rollout rollout = new Rollout(workload.getMetadata().getUid(), hash, step, now, readyAt);
    rollouts.put(key(workload), rollout);
    wakeUpAt(readyAt);
    return rollout;
  }

  /** The current rollout of {@code workload}, if its template is {@code hash}. */
  Rollout rollout(HasMetadata workload, String hash) {
    Rollout r = rollouts.get(key(workload));
    return r != null
            && r.templateHash().equals(hash)
            && r.uid().equals(workload.getMetadata().getUid())
        ? r
        : null;
  }

  /** True the first time it is called for this rollout: log its end once. */
  boolean firstReady(HasMetadata workload, Rollout rollout) {
    String id = rollout.uid() + "/" + rollout.templateHash();
    return !id.equals(loggedRollouts.put(key(workload), id));
  }

  private void countInstall(HasMetadata workload) {
    String ns = workload.getMetadata().getNamespace();
    String name = workload.getMetadata().getName();
    if (workload instanceof DaemonSet && "kube-system".equals(ns) && "cilium".equals(name)) {
      cluster.sandbox().recorder().count(SideEffect.CILIUM_INSTALLED, cluster.ref());
    } else if (workload instanceof Deployment
        && MetalLbController.NS.equals(ns)
        && "controller".equals(name)) {
      cluster.sandbox().recorder().count(SideEffect.METALLB_INSTALLED, cluster.ref());
    }
  }

  private void secretChanged(String before, String after, Instant now) {
    String json = after != null ? after : before;
    if (!json.contains(MESH_SECRET)) {
      return;
    }
    Secret secret = JSON.unmarshal(json, Secret.class);
    if (!MESH_SECRET.equals(secret.getMetadata().getName())) {
      return;
    }
    Map<String, String> entries = after == null ? Map.of() : entries(secret);
    boolean changed;
    synchronized (meshEntries) {
      changed = before == null || !entries.equals(meshEntries);
      meshEntrySince.keySet().retainAll(entries.keySet());
      entries.forEach(
          (name, config) -> {
            if (!config.equals(meshEntries.get(name))) {
              meshEntrySince.put(name, now);
            }
          });
      meshEntries.clear();
      meshEntries.putAll(entries);
    }
    if (after != null && changed) {
      cluster.sandbox().recorder().count(SideEffect.MESH_CONNECTION_WRITTEN, cluster.ref());
      cluster.sandbox().agents().connectChecksLater(cluster);
    }
  }

  /** The remote clusters configured in Secret cilium-clustermesh: name to etcd config. */
  static Map<String, String> entries(Secret secret) {
    Map<String, String> out = new TreeMap<>();
    if (secret.getData() != null) {
      secret
          .getData()
          .forEach(
              (k, v) ->
                  out.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
    }
    if (secret.getStringData() != null) {
      out.putAll(secret.getStringData());
    }
    return out;
  }

  /** When the entry for remote {@code name} got its current value (null: not configured). */
  Instant meshEntrySince(String name) {
    synchronized (meshEntries) {
      return meshEntrySince.get(name);
    }
  }

  /** The remote names configured now. */
  Set<String> meshEntryNames() {
    synchronized (meshEntries) {
      return Set.copyOf(meshEntries.keySet());
    }
  }

  /** True the first time a connection to {@code remote} configured at {@code since} is logged. */
  boolean firstConnect(String remote, Instant since) {
    return !since.equals(loggedConnects.put(remote, since));
  }

  /** Since when Service {@code uid} could be assigned an address; {@code now} the first time. */
  Instant assignableSince(String uid, Instant now) {
    return assignableSince.computeIfAbsent(uid, u -> now);
  }

  /** Forgets the time of every Service not in {@code assignable} (no longer assignable). */
  void retainAssignable(Set<String> assignable) {
    assignableSince.keySet().retainAll(assignable);
  }

  /** The Service got its address: forget when it became assignable. */
  void assigned(String uid) {
    assignableSince.remove(uid);
  }

  /** True the first time MetalLB's webhook opened at {@code from} is seen answering. */
  boolean webhookServed(Instant from) {
    return servedWebhooks.add(from);
  }

  /** Reconciles the cluster at {@code when} (once per instant), e.g. when a rollout ends. */
  void wakeUpAt(Instant when) {
    if (when.isAfter(Instant.now()) && wakeUps.add(when)) {
      cluster
          .sandbox()
          .schedule(
              when,
              () -> {
                wakeUps.remove(when);
                cluster.sandbox().reconcileSoon(cluster);
              });
    }
  }

  /** Which latency a workload's rollout takes: Cilium's, MetalLB's or the generic one. */
  static SandboxStep product(HasMetadata workload) {
    Map<String, String> labels =
        workload.getMetadata().getLabels() == null ? Map.of() : workload.getMetadata().getLabels();
    String ns = workload.getMetadata().getNamespace();
    String name = workload.getMetadata().getName();
    String partOf = labels.getOrDefault("app.kubernetes.io/part-of", "");
    if (MetalLbController.NS.equals(ns)
        || partOf.equals("metallb")
        || labels.getOrDefault("app.kubernetes.io/name", "").equals("metallb")) {
      return SandboxStep.METALLB_ROLLOUT;
    }
    if (partOf.equals("cilium")
        || "cilium".equals(labels.get("k8s-app"))
        || ("kube-system".equals(ns)
            && (name.startsWith("cilium") || name.equals("clustermesh-apiserver")))) {
      return SandboxStep.CILIUM_ROLLOUT;
    }
    return SandboxStep.ROLLOUT;
  }

  static String key(HasMetadata workload) {
    return workload.getKind()
        + " "
        + workload.getMetadata().getNamespace()
        + "/"
        + workload.getMetadata().getName();
  }

  private static PodTemplateSpec template(HasMetadata workload) {
    if (workload instanceof DaemonSet ds && ds.getSpec() != null) {
      return ds.getSpec().getTemplate();
    }
    if (workload instanceof Deployment d && d.getSpec() != null) {
      return d.getSpec().getTemplate();
    }
    return null;
  }
}
