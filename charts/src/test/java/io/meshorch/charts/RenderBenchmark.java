package io.meshorch.charts;

import com.marcnuri.helm.Helm;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Measures what a render of the kept Cilium chart costs, and prints the figures (not a test: it
 * asserts nothing and is not run by the build). Helm runs as Go code in a shared library, which JFR
 * and Java profilers do not see, so the phases are timed one by one here: the archive written to
 * disk, the values file, Helm's load and template, and the parse of Helm's YAML into fabric8
 * objects; then whole renders one after another (wall time, the calling thread's CPU and the
 * process's CPU, which includes Go's own threads), and the same number of renders on 1, 2 and 4
 * threads (a renderer allowed that many Helm calls at once), then on one thread per render with the
 * default renderer (as cni-service's workers call it).
 *
 * <p>Run it with the test classpath, for example:
 *
 * <pre>
 * ./mvnw -B -q -pl charts -am test-compile
 * ./mvnw -B -q -pl charts dependency:build-classpath -Dmdep.includeScope=test \
 *     -Dmdep.outputFile=target/test.classpath
 * java -cp charts/target/test-classes:charts/target/classes:$(cat charts/target/test.classpath) \
 *     io.meshorch.charts.RenderBenchmark [renders per thread count, default 16]
 * </pre>
 */
public final class RenderBenchmark {
  private static final HelmRelease CILIUM = new HelmRelease("cilium", "kube-system", "1.32.0");
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  private RenderBenchmark() {}

  public static void main(String[] args) throws Exception {
    int renders = args.length > 0 ? Integer.parseInt(args[0]) : 16;
    KubernetesSerialization serialization = new KubernetesSerialization();
    HelmChartRenderer renderer = new HelmChartRenderer(serialization);
    ChartArchive chart = ChartArchive.bundled(ChartArchive.CILIUM);
    print(
        "machine: %d processors, Java %s, max heap %d MiB; renders at once by default: %d",
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"),
        Runtime.getRuntime().maxMemory() >> 20,
        renderer.maxConcurrentRenders());

    long cpu = OS.getProcessCpuTime();
    long load = timed(() -> Helm.version().call());
    print(
        "Helm's native library loaded (helm-java copies it out of its jar, then dlopen): wall %d"
            + " ms, process CPU %d ms",
        ms(load), ms(OS.getProcessCpuTime() - cpu));
    cpu = OS.getProcessCpuTime();
    phases("first render, by phase:", serialization, chart, 1);
    print("  process CPU of the first render: %d ms", ms(OS.getProcessCpuTime() - cpu));
    for (int i = 1; i <= 3; i++) {
      renderer.render(
          chart, CILIUM, CiliumTestValues.cluster(i)); // warm-up of the JIT and Go's heap
    }
    phases(
        "next renders, by phase (median of " + renders + ", sequential):",
        serialization,
        chart,
        renders);
    sequential(renderer, chart, renders);
    for (int threads : new int[] {1, 2, 4}) {
      // A renderer per thread count, allowed that many renders at once.
      onThreads(new HelmChartRenderer(serialization, threads), chart, renders, threads, "");
    }
    // As in cni-service: one thread per cluster (its workers), the renderer's default bound.
    onThreads(
        renderer,
        chart,
        renders,
        renders,
        " (Helm calls at once: " + renderer.maxConcurrentRenders() + ")");
  }

  /** Each phase of a render, timed on its own, one render after another. */
  private static void phases(
      String title, KubernetesSerialization serialization, ChartArchive chart, int n)
      throws IOException {
    List<Long> copy = new ArrayList<>();
    List<Long> valuesFile = new ArrayList<>();
    List<Long> template = new ArrayList<>();
    List<Long> templateCpu = new ArrayList<>();
    List<Long> parse = new ArrayList<>();
    HelmChartRenderer parser = new HelmChartRenderer(serialization);
    for (int i = 0; i < n; i++) {
      Path dir = Files.createTempDirectory("meshorch-bench-");
      try {
        Path archive = dir.resolve("chart.tgz");
        Path file = dir.resolve("values.json");
        copy.add(timed(() -> write(chart, archive)));
        Map<String, Object> v = CiliumTestValues.cluster(100 + i);
        valuesFile.add(timed(() -> writeValues(serialization, file, v)));
        String[] yaml = new String[1];
        long cpu = THREADS.getCurrentThreadCpuTime();
        template.add(
            timed(
                () ->
                    yaml[0] =
                        Helm.template(archive.toString())
                            .withName(CILIUM.name())
                            .withNamespace(CILIUM.namespace())
                            .withKubeVersion(CILIUM.kubeVersion())
                            .withValuesFile(file)
                            .call()));
        templateCpu.add(THREADS.getCurrentThreadCpuTime() - cpu);
        JvmSignals.restore();
        parse.add(timed(() -> parser.parse(yaml[0])));
      } finally {
        try (var files = Files.list(dir)) {
          for (Path p : files.toList()) {
            Files.delete(p);
          }
        }
        Files.delete(dir);
      }
    }
    print(title);
    print("  archive written to a temp file  %7.2f ms", median(copy) / 1e6);
    print("  values file (JSON)              %7.2f ms", median(valuesFile) / 1e6);
    print(
        "  Helm load + template            %7.2f ms (calling thread CPU %.2f ms)",
        median(template) / 1e6, median(templateCpu) / 1e6);
    print("  YAML parsed to fabric8 objects  %7.2f ms", median(parse) / 1e6);
  }

  /** Whole renders, one after another: wall, calling thread's CPU, process CPU. */
  private static void sequential(HelmChartRenderer renderer, ChartArchive chart, int n) {
    List<Long> walls = new ArrayList<>();
    List<Long> threadCpu = new ArrayList<>();
    long processCpu = OS.getProcessCpuTime();
    for (int i = 0; i < n; i++) {
      long cpu = THREADS.getCurrentThreadCpuTime();
      int id = 200 + i;
      walls.add(timed(() -> renderer.render(chart, CILIUM, CiliumTestValues.cluster(id))));
      threadCpu.add(THREADS.getCurrentThreadCpuTime() - cpu);
    }
    processCpu = OS.getProcessCpuTime() - processCpu;
    Collections.sort(walls);
    print(
        "next renders (%d, sequential): wall p50 %d ms, max %d ms; per render: calling thread CPU"
            + " %d ms, process CPU %d ms",
        n,
        ms(median(walls)),
        ms(walls.get(walls.size() - 1)),
        ms(median(threadCpu)),
        ms(processCpu / n));
  }

  /** {@code n} renders submitted at once to {@code threads} threads. */
  private static void onThreads(
      HelmChartRenderer renderer, ChartArchive chart, int n, int threads, String note)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      long processCpu = OS.getProcessCpuTime();
      long start = System.nanoTime();
      List<Future<Long>> done = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        int id = 300 + i;
        done.add(
            pool.submit(
                () -> {
                  renderer.render(chart, CILIUM, CiliumTestValues.cluster(id));
                  return System.nanoTime() - start;
                }));
      }
      List<Long> finished = new ArrayList<>();
      for (Future<Long> f : done) {
        finished.add(f.get());
      }
      long wall = System.nanoTime() - start;
      processCpu = OS.getProcessCpuTime() - processCpu;
      Collections.sort(finished);
      print(
          "%d renders on %d thread(s)%s: wall %d ms (%.2f renders/s), first done at %d ms, last"
              + " at %d ms, process CPU %d ms per render",
          n,
          threads,
          note,
          ms(wall),
          n / (wall / 1e9),
          ms(finished.get(0)),
          ms(finished.get(finished.size() - 1)),
          ms(processCpu / n));
    } finally {
      pool.shutdownNow();
    }
  }

  private interface Work {
    Object run() throws Exception;
  }

  private static long timed(Work work) {
    long start = System.nanoTime();
    try {
      work.run();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    return System.nanoTime() - start;
  }

  private static Object write(ChartArchive chart, Path file) throws IOException {
    chart.writeTo(file);
    return file;
  }

  private static Object writeValues(
      KubernetesSerialization serialization, Path file, Map<String, Object> values)
      throws IOException {
    return Files.writeString(file, serialization.asJson(values), StandardCharsets.UTF_8);
  }

  private static long median(List<Long> nanos) {
    List<Long> sorted = new ArrayList<>(nanos);
    Collections.sort(sorted);
    return sorted.get(sorted.size() / 2);
  }

  private static long ms(long nanos) {
    return nanos / 1_000_000;
  }

  @SuppressWarnings("SystemOut")
  private static void print(String format, Object... args) {
    System.out.println(String.format(Locale.ROOT, format, args));
  }
}
