package io.meshorch.sandbox.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatus;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
 */
final class Controllers {
  private static final Logger log = LoggerFactory.getLogger(Controllers.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  static final String TEMPLATE_HASH = "sandbox.meshorch.io/template-hash";

  private final MetalLbController metalLb;

  Controllers(SandboxKube sandbox) {
    this.metalLb = new MetalLbController(sandbox);
  }

  void reconcile(SandboxCluster cluster) {
    KubernetesClient client = cluster.client();
    List<String> nodes = cluster.nodeNames();
    List<DaemonSet> daemonSets = client.apps().daemonSets().inAnyNamespace().list().getItems();
    List<Deployment> deployments = client.apps().deployments().inAnyNamespace().list().getItems();
    List<Pod> pods = client.pods().inAnyNamespace().list().getItems();
    for (DaemonSet ds : daemonSets) {
      guarded(cluster, ds, () -> daemonSet(client, ds, owned(pods, ds), nodes));
    }
    for (Deployment d : deployments) {
      guarded(cluster, d, () -> deployment(client, d, owned(pods, d), nodes.get(0)));
    }
    collectOrphans(client, pods, daemonSets, deployments);
    daemonSets.stream()
        .filter(ds -> ds.getMetadata().getName().equals("cilium"))
        .filter(ds -> "kube-system".equals(ds.getMetadata().getNamespace()))
        .findFirst()
        .filter(ds -> isReady(client, ds, nodes.size()))
        .ifPresent(ds -> nodesReady(cluster));
    metalLb.reconcile(cluster);
  }

  private static void guarded(SandboxCluster cluster, HasMetadata owner, Runnable step) {
    try {
      step.run();
    } catch (KubernetesClientException e) {
      log.debug(
          "cluster {}: {} {} not reconciled yet: {}",
          cluster.name(),
          owner.getKind(),
          owner.getMetadata().getName(),
          e.getMessage());
    }
  }

  private static boolean isReady(KubernetesClient client, DaemonSet ds, int nodes) {
    DaemonSet fresh =
        client
            .apps()
            .daemonSets()
            .inNamespace(ds.getMetadata().getNamespace())
            .withName(ds.getMetadata().getName())
            .get();
    return fresh != null
        && fresh.getStatus() != null
        && Integer.valueOf(nodes).equals(fresh.getStatus().getNumberReady());
  }

  private static void daemonSet(
      KubernetesClient client, DaemonSet ds, List<Pod> pods, List<String> nodes) {
    String ns = ds.getMetadata().getNamespace();
    PodTemplateSpec template = ds.getSpec().getTemplate();
    Set<String> covered = new HashSet<>();
    for (Pod pod : current(client, pods, template)) {
      covered.add(pod.getSpec().getNodeName());
    }
    for (String node : nodes) {
      if (!covered.contains(node)) {
        createPod(client, ds, template, node);
      }
    }
    int n = nodes.size();
    DaemonSetStatus want =
        new DaemonSetStatusBuilder()
            .withDesiredNumberScheduled(n)
            .withCurrentNumberScheduled(n)
            .withNumberReady(n)
            .withNumberAvailable(n)
            .withUpdatedNumberScheduled(n)
            .withNumberMisscheduled(0)
            .withObservedGeneration(ds.getMetadata().getGeneration())
            .build();
    if (!want.equals(ds.getStatus())) {
      ds.setStatus(want);
      client.apps().daemonSets().inNamespace(ns).resource(ds).updateStatus();
      log.info("kubelet: DaemonSet {}/{} ready on {} nodes", ns, ds.getMetadata().getName(), n);
    }
  }

  private static void deployment(
      KubernetesClient client, Deployment d, List<Pod> pods, String node) {
    String ns = d.getMetadata().getNamespace();
    int replicas = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
    List<Pod> running = current(client, pods, d.getSpec().getTemplate());
    for (int i = running.size(); i < replicas; i++) {
      createPod(client, d, d.getSpec().getTemplate(), node);
    }
    for (Pod extra : running.subList(Math.min(replicas, running.size()), running.size())) {
      client.pods().inNamespace(ns).withName(extra.getMetadata().getName()).delete();
    }
    boolean converged =
        d.getStatus() != null
            && Integer.valueOf(replicas).equals(d.getStatus().getAvailableReplicas())
            && Integer.valueOf(replicas).equals(d.getStatus().getReadyReplicas())
            && Objects.equals(
                d.getMetadata().getGeneration(), d.getStatus().getObservedGeneration());
    if (!converged) {
      d.setStatus(
          new DeploymentStatusBuilder()
              .withReplicas(replicas)
              .withReadyReplicas(replicas)
              .withAvailableReplicas(replicas)
              .withUpdatedReplicas(replicas)
              .withObservedGeneration(d.getMetadata().getGeneration())
              .addNewCondition()
              .withType("Available")
              .withStatus("True")
              .withReason("MinimumReplicasAvailable")
              .withMessage("Deployment has minimum availability.")
              .endCondition()
              .addNewCondition()
              .withType("Progressing")
              .withStatus("True")
              .withReason("NewReplicaSetAvailable")
              .endCondition()
              .build());
      client.apps().deployments().inNamespace(ns).resource(d).updateStatus();
      log.info(
          "kubelet: Deployment {}/{} ready with {} replicas",
          ns,
          d.getMetadata().getName(),
          replicas);
    }
  }

  /** The owner's pods of its current template; pods of an older template are deleted (rollout). */
  private static List<Pod> current(KubernetesClient client, List<Pod> pods, PodTemplateSpec t) {
    String hash = templateHash(t);
    List<Pod> current = new ArrayList<>();
    for (Pod pod : pods) {
      Map<String, String> annotations = pod.getMetadata().getAnnotations();
      if (annotations != null && hash.equals(annotations.get(TEMPLATE_HASH))) {
        current.add(pod);
      } else {
        client.pods().inNamespace(pod.getMetadata().getNamespace()).resource(pod).delete();
      }
    }
    return current;
  }

  private static String templateHash(PodTemplateSpec template) {
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

  private static void createPod(
      KubernetesClient client, HasMetadata owner, PodTemplateSpec template, String node) {
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
            .withNewStatus()
            .withPhase("Running")
            .addNewCondition()
            .withType("Ready")
            .withStatus("True")
            .endCondition()
            .addNewCondition()
            .withType("ContainersReady")
            .withStatus("True")
            .endCondition()
            .endStatus()
            .build();
    client.pods().inNamespace(ns).resource(pod).create();
    log.debug("kubelet: pod {}/{} runs on {}", ns, pod.getMetadata().getName(), node);
  }

  private static void nodesReady(SandboxCluster cluster) {
    KubernetesClient client = cluster.client();
    for (var node : client.nodes().list().getItems()) {
      List<NodeCondition> conditions = node.getStatus().getConditions();
      boolean notReady =
          conditions.stream()
              .anyMatch(c -> c.getType().equals("Ready") && !c.getStatus().equals("True"));
      if (notReady) {
        conditions.stream()
            .filter(c -> c.getType().equals("Ready"))
            .forEach(
                c -> {
                  c.setStatus("True");
                  c.setReason("KubeletReady");
                  c.setMessage("kubelet is posting ready status");
                });
        client.nodes().resource(node).updateStatus();
        log.info(
            "kubelet: node {} of cluster {} is Ready (CNI up)",
            node.getMetadata().getName(),
            cluster.name());
      }
    }
  }
}
