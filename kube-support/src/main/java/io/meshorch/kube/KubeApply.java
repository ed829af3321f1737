package io.meshorch.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes objects the way a real API server expects from a tool that owns them: server-side apply
 * with one field manager per service ({@code meshorch-cni}, {@code meshorch-lb}, …), forcing
 * conflicts on the fields it sets.
 *
 * <p>One manager per service, not one for the whole product: services write parts of the same
 * objects (cni-service the clustermesh-apiserver Service, lb-service its pinned-IP annotation), and
 * with a shared manager each apply would remove the fields the other service set.
 *
 * <p>Fields other managers own (a controller's {@code status}, the {@code caBundle} a webhook
 * controller injects, the {@code hostAliases} mesh-service adds) are never part of what we send, so
 * they are never clobbered; a field we sent before and no longer send is removed by the server; and
 * applying the same object again changes nothing (no new {@code resourceVersion}, no rollout).
 */
public final class KubeApply {
  /** Prefix of the field managers of this product's services. */
  public static final String MANAGER_PREFIX = "meshorch-";

  /** Helm's label and annotations, so that {@code helm upgrade --install} can adopt the objects. */
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";

  public static final String RELEASE_NAME = "meta.helm.sh/release-name";
  public static final String RELEASE_NAMESPACE = "meta.helm.sh/release-namespace";

  private final String fieldManager;

  /**
   * @param service the service that writes, e.g. {@code cni}; the field manager is {@value
   *     #MANAGER_PREFIX}{@code service}
   */
  public KubeApply(String service) {
    if (service == null || !service.matches("[a-z][a-z0-9-]{0,40}")) {
      throw new IllegalArgumentException(
          "service must be lowercase letters, digits and '-', got " + service);
    }
    this.fieldManager = MANAGER_PREFIX + service;
  }

  /** The field manager of this service's applies. */
  public String fieldManager() {
    return fieldManager;
  }

  /**
   * Applies {@code desired} (server-side, this service's field manager, forced) and returns what
   * the server stored. Errors become classified step failures, see {@link KubeFailures}.
   */
  public HasMetadata apply(KubernetesClient client, HasMetadata desired) {
    String namespace = desired.getMetadata().getNamespace();
    String what =
        "apply "
            + desired.getKind()
            + " "
            + (namespace == null ? "" : namespace + "/")
            + desired.getMetadata().getName();
    return KubeCalls.call(
        what,
        () ->
            client.resource(desired).fieldManager(fieldManager).forceConflicts().serverSideApply());
  }

  /**
   * Marks {@code object} as part of Helm release {@code release} in {@code namespace}, as {@code
   * helm install} would: label {@value #MANAGED_BY}{@code =Helm} and annotations {@value
   * #RELEASE_NAME} and {@value #RELEASE_NAMESPACE}. Returns the same object.
   */
  public static <T extends HasMetadata> T asHelmRelease(
      T object, String release, String namespace) {
    Map<String, String> labels = new LinkedHashMap<>();
    if (object.getMetadata().getLabels() != null) {
      labels.putAll(object.getMetadata().getLabels());
    }
    labels.put(MANAGED_BY, "Helm");
    Map<String, String> annotations = new LinkedHashMap<>();
    if (object.getMetadata().getAnnotations() != null) {
      annotations.putAll(object.getMetadata().getAnnotations());
    }
    annotations.put(RELEASE_NAME, release);
    annotations.put(RELEASE_NAMESPACE, namespace);
    object.getMetadata().setLabels(labels);
    object.getMetadata().setAnnotations(annotations);
    return object;
  }
}
