package io.meshorch.lb.adapter.kubernetes;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Watchable;
import io.meshorch.kube.KubeClientProvider;
import io.meshorch.kube.KubeWatches;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * A watch on one cluster that owns its client: the watch needs the client open for as long as it
 * runs, so closing the watch closes both (once, however often it is closed).
 */
final class ClusterWatch {
  private ClusterWatch() {}

  /**
   * Opens a client for {@code kubeconfigRef} and a watch on what {@code target} selects, calling
   * {@code onChange} on every change.
   *
   * @throws io.meshorch.kit.failure.StepFailure when the kubeconfig is missing or invalid
   */
  static AutoCloseable open(
      KubeClientProvider clients,
      String kubeconfigRef,
      String what,
      Function<KubernetesClient, Watchable<?>> target,
      Runnable onChange) {
    KubernetesClient client = clients.forCluster(kubeconfigRef);
    AutoCloseable watch;
    try {
      watch = KubeWatches.nudgeOnChange(what, target.apply(client), onChange);
    } catch (RuntimeException e) {
      client.close();
      throw e;
    }
    AtomicBoolean closed = new AtomicBoolean();
    return () -> {
      if (closed.compareAndSet(false, true)) {
        try {
          watch.close();
        } finally {
          client.close();
        }
      }
    };
  }
}
