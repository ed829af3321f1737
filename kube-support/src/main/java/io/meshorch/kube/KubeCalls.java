package io.meshorch.kube;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.function.Supplier;

/** Runs one Kubernetes API call and turns its error into a classified step failure. */
public final class KubeCalls {
  private KubeCalls() {}

  /** The result of {@code body}; API errors become transient or terminal step failures. */
  public static <T> T call(String what, Supplier<T> body) {
    try {
      return body.get();
    } catch (KubernetesClientException e) {
      throw KubeFailures.classify(what, e);
    }
  }
}
