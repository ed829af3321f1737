package io.meshorch.sandbox.kube;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plays the Cilium operator's start-up duty that matters to the others: it registers the Cilium
 * CRDs, which the agents and the clustermesh-apiserver wait for. The chart ships none; the agent's
 * own failure says who does ("Please ensure that Cilium Operator is running, as it's responsible
 * for registering all the Cilium CRDs"), and the chart's operator ClusterRole grants it {@code
 * create} on {@code customresourcedefinitions}. Done once Deployment {@code
 * kube-system/cilium-operator} is available, i.e. its pods run, which needs its own RBAC.
 */
final class CiliumOperator {
  private static final Logger log = LoggerFactory.getLogger(CiliumOperator.class);

  private CiliumOperator() {}

  static void reconcile(
      KubernetesClient client, ClusterActivity activity, List<Deployment> deployments) {
    boolean running =
        deployments.stream()
            .filter(d -> "kube-system".equals(d.getMetadata().getNamespace()))
            .filter(d -> "cilium-operator".equals(d.getMetadata().getName()))
            .anyMatch(
                d ->
                    d.getStatus() != null
                        && d.getStatus().getAvailableReplicas() != null
                        && d.getStatus().getAvailableReplicas() > 0);
    if (!running) {
      return;
    }
    for (ComponentRights.Crd crd : ComponentRights.CILIUM_CRDS) {
      if (activity.hasCrd(crd.name())) {
        continue;
      }
      String plural = crd.name().substring(0, crd.name().indexOf('.'));
      try {
        client
            .apiextensions()
            .v1()
            .customResourceDefinitions()
            .resource(
                new CustomResourceDefinitionBuilder()
                    .withNewMetadata()
                    .withName(crd.name())
                    .endMetadata()
                    .withNewSpec()
                    .withGroup("cilium.io")
                    .withScope(
                        List.of("ciliumendpoints", "ciliumnetworkpolicies").contains(plural)
                            ? "Namespaced"
                            : "Cluster")
                    .withNewNames()
                    .withKind(crd.kind())
                    .withPlural(plural)
                    .withSingular(crd.kind().toLowerCase(Locale.ROOT))
                    .withListKind(crd.kind() + "List")
                    .endNames()
                    .addNewVersion()
                    .withName(crd.version())
                    .withServed(true)
                    .withStorage(true)
                    .endVersion()
                    .endSpec()
                    .build())
            .create();
        log.info("cilium-operator: registered CRD {}", crd.name());
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409) {
          throw e;
        }
      }
    }
  }
}
