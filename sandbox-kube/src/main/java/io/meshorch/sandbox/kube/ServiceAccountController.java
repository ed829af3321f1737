package io.meshorch.sandbox.kube;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.HashSet;
import java.util.Set;

/**
 * Plays kube-controller-manager's ServiceAccount controller: every namespace gets ServiceAccount
 * {@code default}, the one a pod without {@code serviceAccountName} runs as. Any other
 * ServiceAccount a pod names must be created by whoever installs the workload.
 */
final class ServiceAccountController {
  private ServiceAccountController() {}

  static void reconcile(KubernetesClient client, ClusterReads reads) {
    Set<String> have = new HashSet<>();
    for (ServiceAccount sa : reads.list(ServiceAccount.class)) {
      if ("default".equals(sa.getMetadata().getName())) {
        have.add(sa.getMetadata().getNamespace());
      }
    }
    for (Namespace ns : reads.list(Namespace.class)) {
      String name = ns.getMetadata().getName();
      if (have.contains(name) || ns.getMetadata().getDeletionTimestamp() != null) {
        continue;
      }
      try {
        client
            .serviceAccounts()
            .inNamespace(name)
            .resource(
                new ServiceAccountBuilder()
                    .withNewMetadata()
                    .withName("default")
                    .withNamespace(name)
                    .endMetadata()
                    .build())
            .create();
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409) {
          throw e;
        }
      }
    }
  }
}
