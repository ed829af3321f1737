package io.meshorch.kube;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.meshorch.kit.failure.StepFailure;
import io.meshorch.kit.failure.TerminalFailure;
import io.meshorch.kit.failure.TransientFailure;

/**
 * Classifies Kubernetes API errors: connection problems, 408, 409, 429 and 5xx may pass and are
 * transient; other 4xx (bad request, unauthorized, forbidden, invalid) need a person. fabric8 gives
 * an error without an HTTP answer (connection refused or reset, timeout) the code -1.
 */
public final class KubeFailures {
  private KubeFailures() {}

  /** The step failure for {@code e} while doing {@code what} (e.g. "apply DaemonSet cilium"). */
  public static StepFailure classify(String what, KubernetesClientException e) {
    int code = e.getCode();
    String message = what + " failed" + (code > 0 ? " with HTTP " + code : "") + ": " + reason(e);
    if (code <= 0 || code == 408 || code == 409 || code == 429 || code >= 500) {
      return new TransientFailure("KUBE_API_UNAVAILABLE", message, e);
    }
    return new TerminalFailure("KUBE_API_REJECTED", message, e);
  }

  private static String reason(KubernetesClientException e) {
    if (e.getStatus() != null && e.getStatus().getMessage() != null) {
      return e.getStatus().getMessage();
    }
    return e.getCause() != null ? e.getCause().getClass().getSimpleName() : "no details";
  }
}
