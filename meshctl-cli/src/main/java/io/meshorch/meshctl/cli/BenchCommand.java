package io.meshorch.meshctl.cli;

import io.meshorch.meshctl.bench.Bench;
import io.meshorch.meshctl.bench.BenchConfig;
import io.meshorch.meshctl.bench.BenchReport;
import io.meshorch.meshctl.bench.BenchResults;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code meshctl bench}: measures scaling, the speedup over a sequential baseline, orchestration
 * overhead, detection latency, interference between meshes, throughput and the platform's start, in
 * local mode in this process, and writes {@code bench-results.json}.
 */
@Command(
    name = "bench",
    description = {
      "Benchmark local mode (embedded broker, sandbox cloud, the five services in this process):"
          + " T(N) for meshes of 1, 4 and 16 clusters, the speedup over 16 one-cluster meshes run"
          + " back to back, orchestration overhead over the critical path of the injected"
          + " latencies, detection latency, interference from a slow mesh on the same partition,"
          + " throughput of 250 meshes x 2 clusters submitted at once, and the platform's start."
          + " About 15 minutes on 2 cores. Progress on stderr, the table on stdout.",
      "Exit code: 0 when every goal is met, 1 when one is MISSED."
    })
public final class BenchCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

  @Option(
      names = "--out",
      defaultValue = "bench-results.json",
      description = "Where the results go (default: ${DEFAULT-VALUE} in the current folder).")
  Path out;

  @Option(
      names = "--write-docs",
      arity = "0..1",
      fallbackValue = "docs/benchmarks.md",
      paramLabel = "PAGE",
      description =
          "Also refresh the generated table of this page (default docs/benchmarks.md; the text"
              + " around it is kept) and copy the results beside it as bench-results.json.")
  Path docs;

  @Option(
      names = "--work-dir",
      description =
          "Parent of the fresh folders of the platforms (default: .meshctl-bench/<UTC time>).")
  Path workDir;

  @Option(
      names = "--profile",
      defaultValue = "realistic",
      description = "Sandbox profile of the latency figures (default: ${DEFAULT-VALUE}).")
  String profile;

  @Option(
      names = "--scale",
      defaultValue = "0.02",
      description = "Factor on the profile (default: ${DEFAULT-VALUE}, 50 times faster).")
  double scale;

  @Option(
      names = "--sizes",
      split = ",",
      defaultValue = "1,4,16",
      description = "Mesh sizes of the scaling figure (default: ${DEFAULT-VALUE}).")
  List<Integer> sizes;

  @Option(
      names = "--nodes",
      defaultValue = "2",
      description = "Nodes per cluster in the latency figures (default: ${DEFAULT-VALUE}).")
  int nodes;

  @Option(
      names = "--throughput-meshes",
      defaultValue = "250",
      description = "Meshes submitted at once (default: ${DEFAULT-VALUE}; 0 skips the figure).")
  int throughputMeshes;

  @Option(
      names = "--throughput-clusters",
      defaultValue = "2",
      description = "Clusters per throughput mesh (default: ${DEFAULT-VALUE}).")
  int throughputClusters;

  @Option(
      names = "--throughput-nodes",
      defaultValue = "1",
      description = "Nodes per throughput cluster (default: ${DEFAULT-VALUE}).")
  int throughputNodes;

  @Option(
      names = "--throughput-latency",
      paramLabel = "SPEC",
      description =
          "Sandbox latencies of the throughput platform (default: the latency figures' profile"
              + " and scale).")
  String throughputLatency;

  @Option(names = "--no-sequential", description = "Skip the sequential baseline.")
  boolean noSequential;

  @Option(names = "--no-interference", description = "Skip the interference figure.")
  boolean noInterference;

  @Option(
      names = "--no-recheck-scaling",
      description =
          "Keep the services' re-check back-off at its default instead of scaling"
              + " mesh.service.recheck.max with the latencies.")
  boolean noRecheckScaling;

  @Option(
      names = "--throughput-recheck-scaling",
      description =
          "Scale mesh.service.recheck.max with the latencies on the throughput platform too"
              + " (default: the services' defaults there).")
  boolean throughputRecheckScaling;

  @Option(
      names = "--mesh-timeout",
      defaultValue = "PT5M",
      description = "Longest wait for one mesh (default: ${DEFAULT-VALUE}).")
  Duration meshTimeout;

  @Option(
      names = "--throughput-timeout",
      defaultValue = "PT15M",
      description = "Longest wait for the throughput figure (default: ${DEFAULT-VALUE}).")
  Duration throughputTimeout;

  @Override
  public Integer call() throws Exception {
    BenchConfig config;
    try {
      config =
          new BenchConfig(
              profile,
              scale,
              sizes,
              nodes,
              !noSequential,
              !noInterference,
              throughputMeshes,
              throughputClusters,
              throughputNodes,
              throughputLatency != null ? throughputLatency : profile + ",scale=" + scale,
              !noRecheckScaling,
              throughputRecheckScaling,
              meshTimeout,
              throughputTimeout);
    } catch (IllegalArgumentException e) {
      // Before anything starts: the options' mistake, worded with the rule it breaks.
      throw new ParameterException(spec.commandLine(), "meshctl bench: " + e.getMessage());
    }
    Instant now = Instant.now();
    Path work = workDir != null ? workDir : Path.of(".meshctl-bench", STAMP.format(now));
    BenchResults results = new Bench(config, work, System.err).run();
    String json = results.toJson();
    if (out.getParent() != null) {
      Files.createDirectories(out.getParent());
    }
    Files.writeString(out, json, StandardCharsets.UTF_8);
    System.out.print(BenchReport.text(results));
    System.out.println("results: " + out.toAbsolutePath());
    if (docs != null) {
      String ranAt = now.truncatedTo(ChronoUnit.SECONDS).toString();
      BenchReport.writeDocs(docs, results, ranAt);
      Path copy = docs.toAbsolutePath().getParent().resolve("bench-results.json");
      Files.writeString(copy, json, StandardCharsets.UTF_8);
      System.out.println("docs: " + docs.toAbsolutePath() + " and " + copy);
    }
    return results.allMet() ? Exit.READY : Exit.FAILED;
  }
}
