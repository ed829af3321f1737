package io.meshorch.kube;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.meshorch.kit.failure.TerminalFailure;
import io.meshorch.kit.port.SecretStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Builds fabric8 clients for the clusters of a mesh from the admin kubeconfigs kept in the secret
 * store. The kubeconfig is read per call and never logged; every client gets the configured connect
 * and request timeouts, and fabric8's own retries are bounded.
 */
public final class KubeClientProvider {
  private final SecretStore secrets;
  private final Duration connectTimeout;
  private final Duration requestTimeout;

  public KubeClientProvider(SecretStore secrets, Duration connectTimeout, Duration requestTimeout) {
    this.secrets = secrets;
    this.connectTimeout = connectTimeout;
    this.requestTimeout = requestTimeout;
  }

  /**
   * A new client for the cluster whose kubeconfig is stored under {@code kubeconfigRef}; the caller
   * closes it.
   *
   * @throws TerminalFailure {@code KUBECONFIG_MISSING} when the reference names no secret, or
   *     {@code KUBECONFIG_INVALID} when the secret is not a usable kubeconfig
   */
  public KubernetesClient forCluster(String kubeconfigRef) {
    byte[] kubeconfig =
        secrets
            .get(kubeconfigRef)
            .orElseThrow(
                () ->
                    new TerminalFailure(
                        "KUBECONFIG_MISSING", "no kubeconfig stored under " + kubeconfigRef));
    Config config;
    try {
      config = Config.fromKubeconfig(new String(kubeconfig, StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      // The parser's message may quote the file: say only which secret is broken.
      throw new TerminalFailure(
          "KUBECONFIG_INVALID", "the kubeconfig under " + kubeconfigRef + " cannot be parsed");
    }
    config.setConnectionTimeout((int) connectTimeout.toMillis());
    config.setRequestTimeout((int) requestTimeout.toMillis());
    config.setRequestRetryBackoffLimit(3);
    config.setRequestRetryBackoffInterval(500);
    return new KubernetesClientBuilder().withConfig(config).build();
  }
}
