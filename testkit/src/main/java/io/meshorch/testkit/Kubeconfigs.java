package io.meshorch.testkit;

/** Kubeconfig text for a test API server (token auth, TLS not verified). */
public final class Kubeconfigs {
  private Kubeconfigs() {}

  /** A kubeconfig whose current context points at {@code masterUrl}. */
  public static String pointingAt(String masterUrl) {
    return """
        apiVersion: v1
        kind: Config
        clusters:
        - name: east
          cluster:
            server: %s
            insecure-skip-tls-verify: true
        users:
        - name: admin
          user:
            token: not-a-real-token
        contexts:
        - name: east
          context: {cluster: east, user: admin}
        current-context: east
        """
        .formatted(masterUrl);
  }
}
