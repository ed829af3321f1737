package io.meshorch.sandbox.kube;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.MicroTime;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import java.util.Objects;

/**
 * Writes core/v1 Events as the cluster's components do ({@code kubectl describe} and {@code kubectl
 * get events} show them). An event is written once per object, reason and message: a pass that
 * finds the same state again writes nothing.
 */
final class KubeEvents {
  private KubeEvents() {}

  /**
   * A Warning event about {@code object} from {@code component} (e.g. kubelet).
   *
   * @return true when it was written now, false when it had been already
   */
  static boolean warn(
      KubernetesClient client,
      ClusterReads reads,
      HasMetadata object,
      String component,
      String reason,
      String msg) {
    String ns = object.getMetadata().getNamespace();
    String name =
        object.getMetadata().getName()
            + "."
            + Integer.toHexString(Objects.hash(object.getMetadata().getUid(), reason, msg));
    try {
      // The store, read in the process: a pass that finds the same state asks no API server.
      if (reads.get(Event.class, ns, name) != null) {
        return false;
      }
      String now = Instant.now().toString();
      client
          .v1()
          .events()
          .inNamespace(ns)
          .resource(
              new EventBuilder()
                  .withNewMetadata()
                  .withName(name)
                  .withNamespace(ns)
                  .endMetadata()
                  .withNewInvolvedObject()
                  .withApiVersion(object.getApiVersion())
                  .withKind(object.getKind())
                  .withName(object.getMetadata().getName())
                  .withNamespace(ns)
                  .withUid(object.getMetadata().getUid())
                  .endInvolvedObject()
                  .withType("Warning")
                  .withReason(reason)
                  .withMessage(msg)
                  .withNewSource()
                  .withComponent(component)
                  .endSource()
                  .withReportingComponent(component)
                  .withFirstTimestamp(now)
                  .withLastTimestamp(now)
                  .withEventTime(new MicroTime(now))
                  .withCount(1)
                  .build())
          .create();
      return true;
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
      return false;
    }
  }
}
