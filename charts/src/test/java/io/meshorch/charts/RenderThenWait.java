package io.meshorch.charts;

import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** A process that renders the Cilium chart once and then waits to be stopped (for a test). */
public final class RenderThenWait {
  private RenderThenWait() {}

  public static void main(String[] args) throws InterruptedException {
    Runtime.getRuntime()
        .addShutdownHook(new Thread(() -> System.out.println("stopped gracefully")));
    int objects =
        new HelmChartRenderer(new KubernetesSerialization())
            .render(
                ChartArchive.bundled(ChartArchive.CILIUM),
                new HelmRelease("cilium", "kube-system", "1.32.0"),
                Map.of("hubble", Map.of("enabled", false)))
            .size();
    System.out.println("rendered " + objects);
    System.out.flush();
    new CountDownLatch(1).await(60, TimeUnit.SECONDS);
  }
}
