package io.meshorch.sandbox.kube;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.LoadBalancerIngressBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sandbox's kubelet, scheduler and MetalLB, reconciling one cluster per call: workloads get
 * pods and ready status, nodes turn Ready once the CNI (the cilium DaemonSet) runs, and
 * LoadBalancer services get an address from the MetalLB pools once MetalLB's controller runs and an
 * L2Advertisement exists. Idempotent: a pass over a converged cluster changes nothing.
 */
final class Controllers {
  private static final Logger log = LoggerFactory.getLogger(Controllers.class);
  private static final Random RANDOM = new Random();

  private final SandboxKube sandbox;

  Controllers(SandboxKube sandbox) {
    this.sandbox = sandbox;
  }

  void reconcile(SandboxCluster cluster) {
    KubernetesClient client = cluster.client();
    try {
      int nodes = cluster.nodeNames().size();
      for (DaemonSet ds : client.apps().daemonSets().inAnyNamespace().list().getItems()) {
        daemonSet(client, ds, cluster.nodeNames());
      }
      for (Deployment d : client.apps().deployments().inAnyNamespace().list().getItems()) {
        deployment(client, d, cluster.nodeNames().get(0));
      }
      DaemonSet cilium =
          client.apps().daemonSets().inNamespace("kube-system").withName("cilium").get();
      if (cilium != null
          && cilium.getStatus() != null
          && Integer.valueOf(nodes).equals(cilium.getStatus().getNumberReady())) {
        nodesReady(client);
      }
      metalLb(cluster);
    } catch (KubernetesClientException e) {
      log.debug("reconcile of {} skipped: {}", cluster.name(), e.getMessage());
    }
  }

  private void daemonSet(KubernetesClient client, DaemonSet ds, List<String> nodes) {
    String ns = ds.getMetadata().getNamespace();
    List<Pod> pods = ownedPods(client, ns, ds.getSpec().getTemplate());
    Set<String> covered = new HashSet<>();
    pods.forEach(p -> covered.add(p.getSpec().getNodeName()));
    for (String node : nodes) {
      if (!covered.contains(node)) {
        createPod(client, ns, ds.getMetadata().getName(), ds.getSpec().getTemplate(), node);
      }
    }
    int n = nodes.size();
    Long generation = ds.getMetadata().getGeneration();
    if (ds.getStatus() == null || !Integer.valueOf(n).equals(ds.getStatus().getNumberReady())) {
      ds.setStatus(
          new DaemonSetStatusBuilder()
              .withDesiredNumberScheduled(n)
              .withCurrentNumberScheduled(n)
              .withNumberReady(n)
              .withNumberAvailable(n)
              .withUpdatedNumberScheduled(n)
              .withNumberMisscheduled(0)
              .withObservedGeneration(generation)
              .build());
      client.apps().daemonSets().inNamespace(ns).resource(ds).updateStatus();
    }
  }

  private void deployment(KubernetesClient client, Deployment d, String node) {
    String ns = d.getMetadata().getNamespace();
    int replicas = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
    List<Pod> pods = ownedPods(client, ns, d.getSpec().getTemplate());
    for (int i = pods.size(); i < replicas; i++) {
      createPod(client, ns, d.getMetadata().getName(), d.getSpec().getTemplate(), node);
    }
    if (d.getStatus() == null
        || !Integer.valueOf(replicas).equals(d.getStatus().getAvailableReplicas())) {
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
              .endCondition()
              .build());
      client.apps().deployments().inNamespace(ns).resource(d).updateStatus();
    }
  }

  private static List<Pod> ownedPods(KubernetesClient client, String ns, PodTemplateSpec template) {
    Map<String, String> labels =
        template.getMetadata() == null ? null : template.getMetadata().getLabels();
    if (labels == null || labels.isEmpty()) {
      return List.of();
    }
    return client.pods().inNamespace(ns).withLabels(labels).list().getItems();
  }

  private static void createPod(
      KubernetesClient client, String ns, String owner, PodTemplateSpec template, String node) {
    StringBuilder suffix = new StringBuilder();
    for (int i = 0; i < 5; i++) {
      suffix.append((char) ('a' + RANDOM.nextInt(26)));
    }
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withName(owner + "-" + suffix)
            .withNamespace(ns)
            .withLabels(template.getMetadata().getLabels())
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
            .endStatus()
            .build();
    client.pods().inNamespace(ns).resource(pod).create();
  }

  private static void nodesReady(KubernetesClient client) {
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
      }
    }
  }

  private void metalLb(SandboxCluster cluster) {
    KubernetesClient client = cluster.client();
    Deployment controller =
        client.apps().deployments().inNamespace("metallb-system").withName("controller").get();
    if (controller == null
        || controller.getStatus() == null
        || controller.getStatus().getAvailableReplicas() == null
        || controller.getStatus().getAvailableReplicas() < 1) {
      return;
    }
    if (client
                .apiextensions()
                .v1()
                .customResourceDefinitions()
                .withName("ipaddresspools.metallb.io")
                .get()
            == null
        || client
                .apiextensions()
                .v1()
                .customResourceDefinitions()
                .withName("l2advertisements.metallb.io")
                .get()
            == null) {
      return;
    }
    List<GenericKubernetesResource> pools =
        client
            .genericKubernetesResources("metallb.io/v1beta1", "IPAddressPool")
            .inNamespace("metallb-system")
            .list()
            .getItems();
    List<GenericKubernetesResource> ads =
        client
            .genericKubernetesResources("metallb.io/v1beta1", "L2Advertisement")
            .inNamespace("metallb-system")
            .list()
            .getItems();
    if (pools.isEmpty() || ads.isEmpty()) {
      return;
    }
    List<long[]> ranges = new ArrayList<>();
    for (GenericKubernetesResource pool : pools) {
      Object addresses =
          ((Map<?, ?>) pool.getAdditionalProperties().getOrDefault("spec", Map.of()))
              .get("addresses");
      if (addresses instanceof List<?> list) {
        for (Object a : list) {
          Pools.parse(String.valueOf(a)).ifPresent(ranges::add);
        }
      }
    }
    List<Service> services = client.services().inAnyNamespace().list().getItems();
    Set<Long> used = new HashSet<>();
    for (Service s : services) {
      Pools.ingressIp(s).ifPresent(ip -> used.add(ClusterYml.address("ip", ip)));
    }
    for (Service s : services) {
      if (!"LoadBalancer".equals(s.getSpec().getType()) || Pools.ingressIp(s).isPresent()) {
        continue;
      }
      Long ip = Pools.allocate(ranges, used, Pools.requested(s));
      if (ip == null) {
        continue;
      }
      used.add(ip);
      String address = ClusterYml.format(ip);
      s.getStatus()
          .getLoadBalancer()
          .setIngress(
              List.of(new LoadBalancerIngressBuilder().withIp(address).withIpMode("VIP").build()));
      client.services().inNamespace(s.getMetadata().getNamespace()).resource(s).updateStatus();
      if (s.getMetadata().getName().equals("clustermesh-apiserver")) {
        sandbox.registerMeshEndpoint(address, cluster);
      }
      log.info(
          "metallb: {} got {} in cluster {}", s.getMetadata().getName(), address, cluster.name());
    }
  }
}
