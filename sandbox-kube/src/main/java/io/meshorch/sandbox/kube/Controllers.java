package io.meshorch.sandbox.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatus;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.meshorch.sandbox.core.SandboxStep;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sandbox's kubelet, scheduler and workload controllers, reconciling one cluster per call:
 * DaemonSets get one running pod per node, Deployments their replicas (on the first node), both get
 * ready status; pods are re-created when their owner's pod template changes (as a rollout would)
 * and deleted when their owner is gone; nodes turn Ready once the CNI (DaemonSet {@code
 * kube-system/cilium}) is ready. MetalLB is played by {@link MetalLbController}. Idempotent: a pass
 * over a converged cluster writes nothing.
 *
 * <p>A rollout takes its latency ({@code cilium-rollout}, {@code metallb-rollout} or {@code
 * rollout}) from the moment the workload was created or got its pod template ({@link
 * ClusterActivity}): until then the status says so (nothing ready on creation; the old pods still
 * serving, none updated, after a template change), then the new pods run and the ready status is
 * written, which a watch sees. The pass that ends a rollout is scheduled for its exact time.
 */
final class Controllers {
  private static final Logger log = LoggerFactory.getLogger(Controllers.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  static final String TEMPLATE_HASH = "sandbox.meshorch.io/template-hash";
  static final String STARTED_AT = "sandbox.meshorch.io/started-at";

  private final SandboxKube sandbox;
  private final MetalLbController metalLb;

  Controllers(SandboxKube sandbox) {
    this.sandbox = sandbox;
    this.metalLb = new MetalLbController(sandbox);
  }

  void reconcile(SandboxCluster cluster) {
    KubernetesClient client = cluster.controllerClient();
    List<String> nodes = cluster.nodeNames();
    ClusterReads reads = cluster.reads();
    ServiceAccountController.reconcile(client, reads);
    List<DaemonSet> daemonSets = reads.list(DaemonSet.class);
    List<Deployment> deployments = reads.list(Deployment.class);
    List<Pod> pods = reads.list(Pod.class);
    for (DaemonSet ds : daemonSets) {
      guarded(cluster, ds, () -> daemonSet(cluster, ds, owned(pods, ds), nodes));
    }
    for (Deployment d : deployments) {
      guarded(cluster, d, () -> deployment(cluster, d, owned(pods, d), nodes.get(0)));
    }
    collectOrphans(client, pods, daemonSets, deployments);
    daemonSets.stream()
        .filter(ds -> ds.getMetadata().getName().equals("cilium"))
        .filter(ds -> "kube-system".equals(ds.getMetadata().getNamespace()))
        .findFirst()
        .filter(ds -> isReady(reads, ds, nodes.size()))
        .ifPresent(ds -> nodesReady(cluster));
    CiliumOperator.reconcile(client, cluster.activity(), deployments);
    metalLb.reconcile(cluster);
  }

  private static void guarded(SandboxCluster cluster, HasMetadata owner, Runnable step) {
    try {
      step.run();
    } catch (KubernetesClientException e) {
      cluster.settled = false;
      log.debug(
          "cluster {}: {} {} not reconciled yet: {}",
          cluster.name(),
          owner.getKind(),
          owner.getMetadata().getName(),
          e.getMessage());
    }
  }

  private static boolean isReady(ClusterReads reads, DaemonSet ds, int nodes) {
    DaemonSet fresh =
        reads.get(DaemonSet.class, ds.getMetadata().getNamespace(), ds.getMetadata().getName());
    return fresh != null
        && fresh.getStatus() != null
        && Integer.valueOf(nodes).equals(fresh.getStatus().getNumberReady());
  }

  /** The rollout of {@code owner}'s template {@code hash}; started now if the write was missed. */
  private static ClusterActivity.Rollout rollout(
      SandboxCluster cluster, HasMetadata owner, String hash, Instant now) {
    ClusterActivity.Rollout r = cluster.activity().rollout(owner, hash);
    return r != null ? r : cluster.activity().startRollout(owner, hash, now);
  }

  private void daemonSet(SandboxCluster cluster, DaemonSet ds, List<Pod> pods, List<String> nodes) {
    // Now, not the pass's start: the workload may have been written after the pass began.
    Instant now = Instant.now();
    KubernetesClient client = cluster.controllerClient();
    String ns = ds.getMetadata().getNamespace();
    PodTemplateSpec template = ds.getSpec().getTemplate();
    String hash = templateHash(template);
    ClusterActivity.Rollout rollout = rollout(cluster, ds, hash, now);
    boolean done = !now.isBefore(rollout.readyAt());
    List<Pod> stale = new ArrayList<>();
    List<Pod> current = partition(pods, hash, stale);
    int n = nodes.size();
    DaemonSetStatus want;
    if (done) {
      stale.forEach(pod -> delete(client, pod));
      Set<String> covered = new HashSet<>();
      current.forEach(pod -> covered.add(pod.getSpec().getNodeName()));
      List<String> missing = nodes.stream().filter(node -> !covered.contains(node)).toList();
      Started started = start(cluster, ds, template, current, missing, now);
      if (started.newlyReady() && isCiliumAgents(ds)) {
        sandbox.agents().connectChecksLater(cluster);
      }
      want = daemonSetStatus(ds, n, started.ready(), started.scheduled());
    } else {
      // Rolling: the pods of the previous template keep serving until the new ones are ready.
      int serving =
          (int)
              stale.stream()
                  .filter(PodStates::ready)
                  .map(p -> p.getSpec().getNodeName())
                  .distinct()
                  .count();
      want = daemonSetStatus(ds, n, serving, 0);
      cluster.activity().wakeUpAt(rollout.readyAt());
    }
    if (!want.equals(ds.getStatus())) {
      // A shallow copy: what the store read returned is shared, and only printed here.
      cluster.replaceStatus(
          new DaemonSet(ds.getApiVersion(), ds.getKind(), ds.getMetadata(), ds.getSpec(), want));
      log.info(
          "kubelet: DaemonSet {}/{} of cluster {}: {}/{} ready, {} updated",
          ns,
          ds.getMetadata().getName(),
          cluster.name(),
          want.getNumberReady(),
          n,
          want.getUpdatedNumberScheduled());
    }
    if (done
        && Integer.valueOf(n).equals(want.getNumberReady())
        && cluster.activity().firstReady(ds, rollout)) {
      finished(cluster, rollout.step(), ds);
    }
  }

  private static DaemonSetStatus daemonSetStatus(
      DaemonSet ds, int desired, int ready, int updated) {
    return new DaemonSetStatusBuilder()
        .withDesiredNumberScheduled(desired)
        .withCurrentNumberScheduled(desired)
        .withNumberReady(ready)
        .withNumberAvailable(ready)
        .withNumberUnavailable(desired > ready ? desired - ready : null)
        .withUpdatedNumberScheduled(updated)
        .withNumberMisscheduled(0)
        .withObservedGeneration(ds.getMetadata().getGeneration())
        .build();
  }

  private void deployment(SandboxCluster cluster, Deployment d, List<Pod> pods, String node) {
    Instant now = Instant.now();
    KubernetesClient client = cluster.controllerClient();
    String ns = d.getMetadata().getNamespace();
    int replicas = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
    PodTemplateSpec template = d.getSpec().getTemplate();
    String hash = templateHash(template);
    ClusterActivity.Rollout rollout = rollout(cluster, d, hash, now);
    boolean done = !now.isBefore(rollout.readyAt());
    List<Pod> stale = new ArrayList<>();
    List<Pod> running = partition(pods, hash, stale);
    DeploymentStatus want;
    if (done) {
      stale.forEach(pod -> delete(client, pod));
      for (Pod extra : running.subList(Math.min(replicas, running.size()), running.size())) {
        delete(client, extra);
      }
      List<Pod> kept = running.subList(0, Math.min(replicas, running.size()));
      List<String> missing = new ArrayList<>();
      for (int i = kept.size(); i < replicas; i++) {
        missing.add(node);
      }
      Started started = start(cluster, d, template, kept, missing, now);
      if (started.newlyReady() && isMeshApiserver(d)) {
        sandbox.agents().connectChecksLater(cluster);
      }
      want =
          deploymentStatus(
              d,
              replicas,
              started.ready(),
              started.scheduled(),
              started
                  .refusal()
                  .filter(r -> r.stage() == Refusal.Stage.ADMISSION)
                  .map(Refusal::message)
                  .orElse(null));
    } else {
      // Rolling: the replicas of the previous template keep serving until the new ones are ready.
      int serving = (int) stale.stream().filter(PodStates::ready).count();
      want = deploymentStatus(d, replicas, Math.min(replicas, serving), 0, null);
      cluster.activity().wakeUpAt(rollout.readyAt());
    }
    if (!want.equals(d.getStatus())) {
      // A shallow copy: what the store read returned is shared, and only printed here.
      cluster.replaceStatus(
          new Deployment(d.getApiVersion(), d.getKind(), d.getMetadata(), d.getSpec(), want));
      log.info(
          "kubelet: Deployment {}/{} of cluster {}: {}/{} available, {} updated",
          ns,
          d.getMetadata().getName(),
          cluster.name(),
          want.getAvailableReplicas(),
          replicas,
          want.getUpdatedReplicas());
    }
    if (done
        && Integer.valueOf(replicas).equals(want.getAvailableReplicas())
        && cluster.activity().firstReady(d, rollout)) {
      finished(cluster, rollout.step(), d);
    }
  }

  private static DeploymentStatus deploymentStatus(
      Deployment d, int replicas, int available, int updated, String replicaFailure) {
    DeploymentStatusBuilder b = new DeploymentStatusBuilder();
    if (replicaFailure != null) {
      // As the deployment controller copies it from its ReplicaSet.
      b.addNewCondition()
          .withType("ReplicaFailure")
          .withStatus("True")
          .withReason("FailedCreate")
          .withMessage(replicaFailure)
          .endCondition();
    }
    return b.withReplicas(replicas)
        .withReadyReplicas(available)
        .withAvailableReplicas(available)
        .withUnavailableReplicas(replicas > available ? replicas - available : null)
        .withUpdatedReplicas(updated)
        .withObservedGeneration(d.getMetadata().getGeneration())
        .addNewCondition()
        .withType("Available")
        .withStatus(available > 0 ? "True" : "False")
        .withReason(available > 0 ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable")
        .withMessage(
            available > 0
                ? "Deployment has minimum availability."
                : "Deployment does not have minimum availability.")
        .endCondition()
        .addNewCondition()
        .withType("Progressing")
        .withStatus("True")
        .withReason(updated == replicas ? "NewReplicaSetAvailable" : "ReplicaSetUpdated")
        .endCondition()
        .build();
  }

  private void finished(SandboxCluster cluster, SandboxStep step, HasMetadata owner) {
    String object =
        owner.getKind()
            + " "
            + owner.getMetadata().getNamespace()
            + "/"
            + owner.getMetadata().getName();
    sandbox.recorder().finished(step, cluster.ref(), object, Instant.now());
  }

  /** KVStoreMesh runs in the clustermesh-apiserver pods: a new one re-dials the remotes. */
  private static boolean isMeshApiserver(Deployment d) {
    return "clustermesh-apiserver".equals(d.getMetadata().getName())
        && "kube-system".equals(d.getMetadata().getNamespace());
  }

  private static boolean isCiliumAgents(DaemonSet ds) {
    return "cilium".equals(ds.getMetadata().getName())
        && "kube-system".equals(ds.getMetadata().getNamespace());
  }

  /** The pods of template {@code hash}; the others (an older template) go to {@code stale}. */
  private static List<Pod> partition(List<Pod> pods, String hash, List<Pod> stale) {
    List<Pod> current = new ArrayList<>();
    for (Pod pod : pods) {
      Map<String, String> annotations = pod.getMetadata().getAnnotations();
      if (annotations != null && hash.equals(annotations.get(TEMPLATE_HASH))) {
        current.add(pod);
      } else {
        stale.add(pod);
      }
    }
    return current;
  }

  private static void delete(KubernetesClient client, Pod pod) {
    client.pods().inNamespace(pod.getMetadata().getNamespace()).resource(pod).delete();
  }

  /** Identifies a pod template; equal templates (as stored) give equal hashes. */
  static String templateHash(PodTemplateSpec template) {
    return Integer.toHexString(Objects.hashCode(template));
  }

  private static List<Pod> owned(List<Pod> pods, HasMetadata owner) {
    return pods.stream()
        .filter(
            p -> Objects.equals(p.getMetadata().getNamespace(), owner.getMetadata().getNamespace()))
        .filter(p -> ownedBy(p, owner))
        .toList();
  }

  private static boolean ownedBy(Pod pod, HasMetadata owner) {
    List<OwnerReference> refs = pod.getMetadata().getOwnerReferences();
    return refs != null
        && refs.stream()
            .anyMatch(
                r ->
                    r.getKind().equals(owner.getKind())
                        && r.getName().equals(owner.getMetadata().getName())
                        && (r.getUid() == null
                            || owner.getMetadata().getUid() == null
                            || r.getUid().equals(owner.getMetadata().getUid())));
  }

  /** Deletes the sandbox's pods whose DaemonSet or Deployment is gone (garbage collection). */
  private static void collectOrphans(
      KubernetesClient client, List<Pod> pods, List<DaemonSet> dss, List<Deployment> ds) {
    List<HasMetadata> owners = new ArrayList<>(dss);
    owners.addAll(ds);
    for (Pod pod : pods) {
      List<OwnerReference> refs = pod.getMetadata().getOwnerReferences();
      boolean ours =
          refs != null
              && refs.stream()
                  .anyMatch(
                      r -> r.getKind().equals("DaemonSet") || r.getKind().equals("Deployment"));
      boolean orphan =
          ours
              && owners.stream()
                  .noneMatch(
                      o ->
                          Objects.equals(
                                  o.getMetadata().getNamespace(), pod.getMetadata().getNamespace())
                              && ownedBy(pod, o));
      if (orphan) {
        try {
          client.pods().inNamespace(pod.getMetadata().getNamespace()).resource(pod).delete();
        } catch (KubernetesClientException e) {
          log.debug(
              "orphan pod {} not deleted yet: {}", pod.getMetadata().getName(), e.getMessage());
        }
      }
    }
  }

  /**
   * What {@link #start} did: how many pods of the current template are scheduled and ready, whether
   * one became ready in this pass, and the refusal that stops the others.
   */
  private record Started(int scheduled, int ready, boolean newlyReady, Optional<Refusal> refusal) {}

  /**
   * Creates the pods of {@code owner}'s template on {@code missing} nodes and brings the waiting
   * ones of {@code current} to what the cluster allows now ({@link PodRefusals}): refused at
   * admission (no pod; a {@code FailedCreate} event on the workload), stopped with the kubelet's
   * status and event, or running. Pods already running are left alone, as a real kubelet leaves
   * them when a Secret they mount disappears.
   */
  private static Started start(
      SandboxCluster cluster,
      HasMetadata owner,
      PodTemplateSpec template,
      List<Pod> current,
      List<String> missing,
      Instant now) {
    KubernetesClient client = cluster.controllerClient();
    List<Pod> waiting = current.stream().filter(p -> !PodStates.ready(p)).toList();
    int ready = current.size() - waiting.size();
    if (missing.isEmpty() && waiting.isEmpty()) {
      return new Started(current.size(), ready, false, Optional.empty());
    }
    Optional<Refusal> refusal = PodRefusals.check(cluster.reads(), owner, template);
    if (refusal.isPresent() && refusal.get().stage() == Refusal.Stage.ADMISSION) {
      String controller =
          owner instanceof DaemonSet ? "daemonset-controller" : "replicaset-controller";
      if (KubeEvents.warn(
          client,
          cluster.reads(),
          owner,
          controller,
          "FailedCreate",
          "Error creating: " + refusal.get().message())) {
        logRefusal(cluster, owner, refusal.get());
      }
      return new Started(current.size(), ready, false, refusal);
    }
    boolean newlyReady = false;
    for (String node : missing) {
      Pod pod = createPod(cluster, owner, template, node, now, refusal.orElse(null));
      newlyReady |= refusal.isEmpty();
      ready += refusal.isEmpty() ? 1 : 0;
      if (refusal.isPresent() && refused(cluster, pod, refusal.get())) {
        logRefusal(cluster, owner, refusal.get());
      }
    }
    for (Pod pod : waiting) {
      if (refusal.isEmpty()) {
        run(cluster, pod, now);
        newlyReady = true;
        ready++;
      } else if (refused(cluster, pod, refusal.get())) {
        logRefusal(cluster, owner, refusal.get());
      }
    }
    return new Started(current.size() + missing.size(), ready, newlyReady, refusal);
  }

  private static void logRefusal(SandboxCluster cluster, HasMetadata owner, Refusal r) {
    log.info(
        "kubelet: {} {}/{} of cluster {} does not start: {}: {}",
        owner.getKind(),
        owner.getMetadata().getNamespace(),
        owner.getMetadata().getName(),
        cluster.name(),
        r.reason(),
        r.message());
  }

  /**
   * Shows {@code r} on {@code pod} (status, annotation, kubelet event) unless it already does.
   *
   * @return true when the pod showed something else before
   */
  private static boolean refused(SandboxCluster cluster, Pod pod, Refusal r) {
    KubernetesClient client = cluster.controllerClient();
    Map<String, String> annotations = pod.getMetadata().getAnnotations();
    boolean changed =
        annotations == null || !r.message().equals(annotations.get(PodStates.REFUSAL));
    if (changed) {
      Map<String, String> set = new java.util.HashMap<>();
      set.put(PodStates.REFUSAL, r.message());
      Pod updated = annotate(client, pod, set);
      updated.setStatus(PodStates.refused(updated, r));
      cluster.replaceStatus(updated);
    }
    Map.Entry<String, String> event = PodStates.event(pod, r);
    KubeEvents.warn(client, cluster.reads(), pod, "kubelet", event.getKey(), event.getValue());
    return changed;
  }

  /** The kubelet got past what stopped {@code pod}: it runs now. */
  private static void run(SandboxCluster cluster, Pod pod, Instant now) {
    KubernetesClient client = cluster.controllerClient();
    Map<String, String> set = new java.util.HashMap<>();
    set.put(PodStates.REFUSAL, null);
    set.put(STARTED_AT, now.toString());
    Pod updated = annotate(client, pod, set);
    updated.setStatus(PodStates.running(updated.getSpec(), now.toString()));
    cluster.replaceStatus(updated);
    log.debug("kubelet: pod {} runs now", pod.getMetadata().getName());
  }

  /**
   * Sets (a null value: removes) annotations of {@code pod} with one JSON merge patch, as the
   * kubelet patches what it owns, without reading the pod first; returns the pod as stored.
   */
  private static Pod annotate(KubernetesClient client, Pod pod, Map<String, String> annotations) {
    Map<String, Object> patch = Map.of("metadata", Map.of("annotations", annotations));
    return client
        .pods()
        .inNamespace(pod.getMetadata().getNamespace())
        .withName(pod.getMetadata().getName())
        .patch(PatchContext.of(PatchType.JSON_MERGE), FieldPaths.json(patch));
  }

  /**
   * Creates a pod of {@code owner} on {@code node}: running, or pending when {@code refusal} stops
   * it; returns it as stored when it is pending (as sent when it runs).
   */
  private static Pod createPod(
      SandboxCluster cluster,
      HasMetadata owner,
      PodTemplateSpec template,
      String node,
      Instant now,
      Refusal refusal) {
    StringBuilder suffix = new StringBuilder();
    for (int i = 0; i < 5; i++) {
      suffix.append((char) ('a' + RANDOM.nextInt(26)));
    }
    String ns = owner.getMetadata().getNamespace();
    Map<String, String> labels =
        template.getMetadata() == null ? Map.of() : template.getMetadata().getLabels();
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withName(owner.getMetadata().getName() + "-" + suffix)
            .withNamespace(ns)
            .withLabels(labels)
            .addToAnnotations(TEMPLATE_HASH, templateHash(template))
            .addToAnnotations(STARTED_AT, now.toString())
            .withOwnerReferences(
                new OwnerReferenceBuilder()
                    .withApiVersion("apps/v1")
                    .withKind(owner.getKind())
                    .withName(owner.getMetadata().getName())
                    .withUid(owner.getMetadata().getUid())
                    .withController(true)
                    .build())
            .endMetadata()
            .withSpec(template.getSpec())
            .editSpec()
            .withNodeName(node)
            .endSpec()
            .build();
    if (refusal == null) {
      pod.setStatus(PodStates.running(pod.getSpec(), now.toString()));
    } else {
      // Scheduled; the kubelet writes why it does not start right after.
      pod.getMetadata().getAnnotations().put(PodStates.REFUSAL, "");
      pod.setStatus(new PodStatusBuilder().withPhase("Pending").build());
    }
    log.debug("kubelet: pod {}/{} on {}", ns, pod.getMetadata().getName(), node);
    if (refusal == null) {
      // It runs: nothing more is written to it now, so its stored form is not read back.
      cluster.createUnread(pod);
      return pod;
    }
    return cluster.controllerClient().pods().inNamespace(ns).resource(pod).create();
  }

  private static void nodesReady(SandboxCluster cluster) {
    KubernetesClient client = cluster.controllerClient();
    for (Node stored : cluster.reads().nodes()) {
      boolean notReady =
          stored.getStatus().getConditions().stream()
              .anyMatch(c -> c.getType().equals("Ready") && !c.getStatus().equals("True"));
      if (notReady) {
        // A copy: what the store read returned is shared.
        Node node = new NodeBuilder(stored).build();
        node.getStatus().getConditions().stream()
            .filter(c -> c.getType().equals("Ready"))
            .forEach(
                c -> {
                  c.setStatus("True");
                  c.setReason("KubeletReady");
                  c.setMessage("kubelet is posting ready status");
                });
        cluster.replaceStatus(node);
        log.info(
            "kubelet: node {} of cluster {} is Ready (CNI up)",
            node.getMetadata().getName(),
            cluster.name());
      }
    }
  }
}
