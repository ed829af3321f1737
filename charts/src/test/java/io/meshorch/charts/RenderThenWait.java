package io.meshorch.charts;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * A process that renders the Cilium chart and then waits to be stopped (for a test). With an
 * argument {@code n}, it renders on {@code n} threads at once, twice over, and says whether Helm
 * calls overlapped.
 */
public final class RenderThenWait {
  private RenderThenWait() {}

  public static void main(String[] args) throws Exception {
    Runtime.getRuntime()
        .addShutdownHook(new Thread(() -> System.out.println("stopped gracefully")));
    int threads = args.length > 0 ? Integer.parseInt(args[0]) : 1;
    HelmChartRenderer renderer = new HelmChartRenderer(new KubernetesSerialization(), threads);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    boolean overlapped = false;
    int objects = 0;
    for (int round = 0; round < (threads > 1 ? 2 : 1); round++) {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Integer>> renders = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        renders.add(
            pool.submit(
                () -> {
                  go.await(30, TimeUnit.SECONDS);
                  return renderer
                      .render(
                          ChartArchive.bundled(ChartArchive.CILIUM),
                          new HelmRelease("cilium", "kube-system", "1.32.0"),
                          Map.of("hubble", Map.of("enabled", false)))
                      .size();
                }));
      }
      go.countDown();
      if (threads > 1 && !overlapped) {
        await()
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(1))
            .until(() -> renderer.rendersInProgress() > 1);
        overlapped = true;
      }
      for (Future<Integer> render : renders) {
        objects = render.get(90, TimeUnit.SECONDS);
      }
    }
    pool.shutdown();
    System.out.println("rendered " + objects + (overlapped ? ", Helm calls overlapped" : ""));
    System.out.flush();
    new CountDownLatch(1).await(60, TimeUnit.SECONDS);
  }
}
