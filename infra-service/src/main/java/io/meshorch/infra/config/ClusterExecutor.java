package io.meshorch.infra.config;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.beans.factory.DisposableBean;

/**
 * The bounded pool that builds the clusters of a mesh side by side; kept apart from the kit's
 * handler workers (a handler waits on it) and not exposed as an ExecutorService bean.
 */
final class ClusterExecutor implements DisposableBean {
  final ExecutorService executor;

  ClusterExecutor(int threads) {
    AtomicInteger n = new AtomicInteger();
    this.executor =
        Executors.newFixedThreadPool(
            threads,
            r -> {
              Thread t = new Thread(r, "infra-cluster-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
  }

  @Override
  public void destroy() {
    executor.shutdownNow();
  }
}
