package io.meshorch.meshctl.bench;

import io.meshorch.contracts.MeshReady;
import io.meshorch.contracts.MeshRequested;
import io.meshorch.contracts.Topics;
import io.meshorch.local.SandboxPlatform;
import io.meshorch.meshctl.local.LocalStack;
import io.meshorch.sandbox.core.ClusterRef;
import io.meshorch.sandbox.core.SandboxLatencies;
import io.meshorch.sandbox.core.SandboxStep;
import io.meshorch.sandbox.core.SideEffect;
import io.meshorch.sandbox.core.StepRecord;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.errors.GroupIdNotFoundException;

/**
 * Runs the benchmark of {@code meshctl bench}: local mode in this process (the embedded broker, the
 * sandbox and the five services, as {@code meshctl up} runs them), each platform in a fresh folder
 * under the work folder, and measures every figure of {@link BenchResults} in one run.
 *
 * <ol>
 *   <li>Latency platform: start (the startup figure), a warm-up mesh at the fast pace (not
 *       counted), T(N) for each size, the sequential baseline, interference.
 *   <li>Throughput platform (fresh): every mesh submitted at once.
 * </ol>
 *
 * Progress goes to {@code progress} (stderr on the command line).
 */
public final class Bench {
  private final BenchConfig config;
  private final Path workDir;
  private final PrintStream progress;
  private final long started = System.nanoTime();
  private double maxLoad;

  /**
   * CPU seconds this process used while a mesh ran (null where there is no {@code /proc}): all
   * threads, and the JIT's compiler threads among them; with the CPU seconds the cores offered.
   */
  record Cpu(Double seconds, Double jitSeconds, double availableSeconds) {
    /** The process's and the compilers' CPU milliseconds at one moment (-1: unknown). */
    record Mark(long processMs, long jitMs) {
      static Mark now() {
        return new Mark(
            ProcessStats.cpuMillis().orElse(-1), ProcessStats.compilerCpuMillis().orElse(-1));
      }
    }

    /** Measures from {@code start} on, over {@code wall}. */
    static Cpu since(Mark start, Duration wall) {
      Mark now = Mark.now();
      return new Cpu(
          between(start.processMs(), now.processMs()),
          between(start.jitMs(), now.jitMs()),
          Bench.seconds(wall.multipliedBy(Runtime.getRuntime().availableProcessors())));
    }

    private static Double between(long fromMs, long toMs) {
      return fromMs < 0 || toMs < 0 ? null : Bench.seconds(Duration.ofMillis(toMs - fromMs));
    }
  }

  /** One mesh run of the latency platform. */
  record MeshRun(
      String meshId,
      List<String> clusters,
      boolean ready,
      String outcome,
      Double seconds,
      CriticalPath.Result criticalPath,
      Cpu cpu) {

    Double overheadPct() {
      if (!ready || seconds == null || criticalPath.total().isZero()) {
        return null;
      }
      double cp = criticalPath.total().toMillis() / 1000.0;
      return round2((seconds - cp) / cp * 100);
    }
  }

  /**
   * @param config what to run
   * @param workDir where the platforms' fresh folders go (created; must not hold an earlier run)
   * @param progress where progress lines go
   */
  public Bench(BenchConfig config, Path workDir, PrintStream progress) {
    this.config = config;
    this.workDir = workDir.toAbsolutePath();
    this.progress = progress;
  }

  /** Runs every figure and returns the results (figures that failed are null, not hidden). */
  public BenchResults run() throws Exception {
    Files.createDirectories(workDir);
    String loadBefore = MachineInfo.loadAverage();
    say("load average before: " + loadBefore + "; work folder " + workDir);
    Map<String, Object> details = new LinkedHashMap<>();
    Map<String, Object> configOut = configDescription();
    SandboxLatencies latencies = config.latencies();
    Map<String, String> settings = config.serviceSettings();

    // ---- latency platform
    Path latencyDir = fresh("latency");
    say("starting the latency platform (broker, sandbox, five services) in " + latencyDir);
    long t0 = System.nanoTime();
    Double startupS;
    Long startupRss;
    Map<Integer, Double> scaling = new TreeMap<>();
    Double ratio = null;
    Double speedup = null;
    Double overhead = null;
    Long p50 = null;
    Long p95 = null;
    Double interference = null;
    try (LocalStack stack = LocalStack.start(latencyDir, true, latencies, settings)) {
      double contextsS = round2((System.nanoTime() - t0) / 1e9);
      awaitConsumersAssigned(stack.bootstrapServers(), Duration.ofMinutes(2));
      startupS = round2((System.nanoTime() - t0) / 1e9);
      startupRss =
          ProcessStats.peakRssMiB().isPresent() ? ProcessStats.peakRssMiB().getAsLong() : null;
      Map<String, Object> startup = new LinkedHashMap<>();
      startup.put("seconds", startupS);
      startup.put("localModeStartedSeconds", contextsS);
      startup.put("peakRssMiB", startupRss);
      startup.put("rssMiB", ProcessStats.rssMiB().orElse(-1));
      startup.put("threads", ProcessStats.threads());
      details.put("startup", startup);
      say(
          "platform ready (every consumer assigned) after "
              + startupS
              + " s (local mode started after "
              + contextsS
              + " s), peak RSS "
              + startupRss
              + " MiB");
      int partitions = partitions(stack.bootstrapServers(), Topics.REQUESTS);
      MeshPlans plans = new MeshPlans();
      List<MeshRun> runs = new ArrayList<>();
      try (BusTap tap = new BusTap(stack.bootstrapServers(), Topics.ALL);
          RequestSender sender = new RequestSender(stack.bootstrapServers())) {
        Runner runner = new Runner(stack, tap, sender, latencies);

        // As large as the largest figure's mesh: the JVM compiles the code every figure runs
        // before any is measured, as in services that have been up a while. A smaller warm-up
        // left the JIT compiling through T(largest) (a third of the CPU of that run in a profile).
        // Neither three warm-up meshes nor one at the figures' pace did better: the compilers
        // still took about a quarter of the CPU of T(16) (its progress line says how much).
        MeshRun warm =
            runner.run(BenchConfig.WARM_UP_MESH, plans.mesh(config.largest(), config.nodes()));
        details.put("warmUp", describe(warm));
        say(
            "warm-up mesh ("
                + config.largest()
                + " clusters, fast pace, not counted): "
                + warm.outcome()
                + cpuNote(warm));

        // ---- scaling
        Map<String, Object> scalingRuns = new LinkedHashMap<>();
        Map<String, Object> overheadByN = new LinkedHashMap<>();
        for (int n : config.sizes()) {
          MeshRun run =
              runner.run(String.format(Locale.ROOT, "n%02d", n), plans.mesh(n, config.nodes()));
          runs.add(run);
          if (run.ready()) {
            scaling.put(n, run.seconds());
          }
          scalingRuns.put(String.valueOf(n), describe(run));
          overheadByN.put(String.valueOf(n), run.overheadPct());
          say(
              "T("
                  + n
                  + ") = "
                  + run.seconds()
                  + " s ("
                  + run.outcome()
                  + "); critical path "
                  + seconds(run.criticalPath().total())
                  + " s, overhead "
                  + run.overheadPct()
                  + " %"
                  + cpuNote(run));
        }
        details.put("scalingRuns", scalingRuns);
        details.put("overheadPctByN", overheadByN);
        int largest = config.largest();
        if (scaling.containsKey(1) && scaling.containsKey(largest)) {
          ratio = round2(scaling.get(largest) / scaling.get(1));
        }
        List<Double> overheads =
            runs.stream().map(MeshRun::overheadPct).filter(o -> o != null).toList();
        if (overheads.size() == config.sizes().size()) {
          overhead = overheads.stream().max(Double::compare).orElseThrow();
        }

        // ---- sequential baseline
        if (config.sequential()) {
          List<Double> each = new ArrayList<>();
          boolean allReady = true;
          for (int i = 1; i <= largest; i++) {
            String id = String.format(Locale.ROOT, "seq%02d", i);
            MeshRequested one =
                new MeshRequested(
                    List.of(plans.cluster(MeshPlans.clusterName(i), i, config.nodes())));
            MeshRun run = runner.run(id, one);
            runs.add(run);
            allReady &= run.ready();
            if (run.ready()) {
              each.add(run.seconds());
            }
            say(
                "sequential "
                    + i
                    + "/"
                    + largest
                    + ": "
                    + run.seconds()
                    + " s ("
                    + run.outcome()
                    + ")");
          }
          Map<String, Object> seq = new LinkedHashMap<>();
          double total = round2(each.stream().mapToDouble(Double::doubleValue).sum());
          seq.put("meshes", largest);
          seq.put("secondsEach", each);
          seq.put("totalSeconds", total);
          details.put("sequential", seq);
          if (allReady && scaling.containsKey(largest)) {
            speedup = round2(total / scaling.get(largest));
          }
          say("sequential baseline: " + total + " s in all; speedup " + speedup + "x");
        }

        // ---- interference
        if (config.interference()) {
          interference = interference(runner, plans, partitions, stack, tap, details, runs);
        }

        // ---- detection latency, over every counted run
        Set<String> counted = runs.stream().map(MeshRun::meshId).collect(Collectors.toSet());
        List<StepRecord> steps =
            stack.recorder().steps().records().stream()
                .filter(r -> counted.contains(r.meshId()))
                .toList();
        List<Detection.Sample> samples = Detection.pair(tap.records(counted), steps);
        if (!samples.isEmpty()) {
          List<Long> ms = samples.stream().map(s -> s.latency().toMillis()).toList();
          p50 = Percentiles.of(ms, 50);
          p95 = Percentiles.of(ms, 95);
        }
        details.put("detection", detectionDetails(samples));
        say(
            "detection latency over "
                + samples.size()
                + " pairs: p50 "
                + p50
                + " ms, p95 "
                + p95
                + " ms");
      }
    }

    // ---- throughput platform
    BenchResults.Throughput throughput = null;
    if (config.throughputMeshes() > 0) {
      throughput = throughput(details);
    }

    Map<String, Object> machine = new LinkedHashMap<>(MachineInfo.describe());
    machine.put("loadBefore", loadBefore);
    machine.put("loadAfter", MachineInfo.loadAverage());
    machine.put("maxLoad1DuringRun", maxLoad);
    machine.put("benchMinutes", round2((System.nanoTime() - started) / 60e9));
    return new BenchResults(
        scaling,
        ratio,
        speedup,
        overhead,
        p50,
        p95,
        interference,
        throughput,
        startupS,
        startupRss,
        machine,
        configOut,
        details,
        definitions());
  }

  private Double interference(
      Runner runner,
      MeshPlans plans,
      int partitions,
      LocalStack stack,
      BusTap tap,
      Map<String, Object> details,
      List<MeshRun> runs)
      throws Exception {
    List<String> ids = Partitions.sameAs(BenchConfig.SLOW_MESH, "if", 2, partitions);
    String alone = ids.get(0);
    String victim = ids.get(1);
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("partitions", partitions);
    d.put("slowMesh", BenchConfig.SLOW_MESH);
    d.put("aloneMesh", alone);
    d.put("victimMesh", victim);
    d.put("partition", Partitions.of(BenchConfig.SLOW_MESH, partitions));
    say(
        "interference: meshes "
            + alone
            + ", "
            + victim
            + " and "
            + BenchConfig.SLOW_MESH
            + " hash to partition "
            + Partitions.of(BenchConfig.SLOW_MESH, partitions)
            + " of "
            + partitions);
    MeshRun a = runner.run(alone, plans.mesh(1, config.nodes()));
    runs.add(a);
    say("interference: " + alone + " alone: " + a.seconds() + " s (" + a.outcome() + ")");

    runner.send(BenchConfig.SLOW_MESH, plans.mesh(1, config.nodes()));
    ClusterRef slowCluster = new ClusterRef(BenchConfig.SLOW_MESH, MeshPlans.clusterName(1));
    long deadline = System.nanoTime() + config.meshTimeout().toNanos();
    while (stack.recorder().counters().count(SideEffect.RKE_UP_INVOKED, slowCluster) == 0
        && System.nanoTime() < deadline) {
      TimeUnit.MILLISECONDS.sleep(50);
    }
    Duration slowRke = stack.latencies().of(SandboxStep.RKE_UP, slowCluster);
    say(
        "interference: "
            + BenchConfig.SLOW_MESH
            + " is in its rke up ("
            + seconds(slowRke)
            + " s); requesting "
            + victim);
    MeshRun b = runner.run(victim, plans.mesh(1, config.nodes()));
    runs.add(b);
    boolean slowStillInStep =
        stack.recorder().steps().records(SandboxStep.RKE_UP).stream()
            .noneMatch(r -> BenchConfig.SLOW_MESH.equals(r.meshId()));
    say(
        "interference: "
            + victim
            + " beside the slow mesh: "
            + b.seconds()
            + " s ("
            + b.outcome()
            + "); slow mesh still in rke up: "
            + slowStillInStep);
    Set<Integer> observed = new LinkedHashSet<>();
    for (BusRecord r : tap.records(List.of(alone, victim, BenchConfig.SLOW_MESH))) {
      observed.add(r.partition());
    }
    d.put("observedPartitions", observed);
    d.put("aloneSeconds", a.seconds());
    d.put("victimSeconds", b.seconds());
    d.put("slowRkeUpSeconds", seconds(slowRke));
    d.put("slowMeshStillInItsStepWhenVictimWasReady", slowStillInStep);
    details.put("interference", d);
    if (a.ready() && b.ready() && slowStillInStep && observed.size() == 1) {
      return round2(b.seconds() / a.seconds());
    }
    say("interference: not measured (a mesh failed, or the slow mesh was not in its step)");
    return null;
  }

  private BenchResults.Throughput throughput(Map<String, Object> details) throws Exception {
    Path dir = fresh("throughput");
    SandboxLatencies latencies = config.throughputLatencies();
    say("starting the throughput platform in " + dir + " (" + latencies.toSpec() + ")");
    try (LocalStack stack =
        LocalStack.start(dir, true, latencies, config.throughputServiceSettings())) {
      awaitConsumersAssigned(stack.bootstrapServers(), Duration.ofMinutes(2));
      MeshPlans plans = new MeshPlans();
      Map<String, MeshRequested> meshes = new LinkedHashMap<>();
      for (int i = 1; i <= config.throughputMeshes(); i++) {
        meshes.put(
            String.format(Locale.ROOT, "tp%03d", i),
            plans.mesh(config.throughputClusters(), config.throughputNodes()));
      }
      try (BusTap tap = new BusTap(stack.bootstrapServers(), Topics.ALL);
          RequestSender sender = new RequestSender(stack.bootstrapServers())) {
        boolean rssReset = ProcessStats.resetPeaks();
        say(
            "throughput: submitting "
                + meshes.size()
                + " meshes of "
                + config.throughputClusters()
                + " clusters at once");
        sender.send(meshes);
        int done =
            tap.awaitOutcomes(
                meshes.keySet(),
                config.throughputTimeout(),
                Duration.ofSeconds(15),
                n -> say("throughput: " + n + "/" + meshes.size() + " meshes answered"));
        int ready = 0;
        Instant last = null;
        for (String id : meshes.keySet()) {
          Optional<BusRecord> outcome = tap.outcome(id);
          if (outcome.isPresent()) {
            if (outcome.get().event().payload() instanceof MeshReady) {
              ready++;
            }
            Instant at = outcome.get().timestamp();
            last = last == null || at.isAfter(last) ? at : last;
          }
        }
        Instant first =
            meshes.keySet().stream()
                .map(tap::request)
                .flatMap(Optional::stream)
                .map(BusRecord::timestamp)
                .min(Instant::compareTo)
                .orElse(null);
        double secondsAll =
            first == null || last == null
                ? Double.NaN
                : round2(Duration.between(first, last).toMillis() / 1000.0);
        int peakThreads = ProcessStats.peakThreads();
        long rss = ProcessStats.peakRssMiB().orElse(-1);
        long endRss = ProcessStats.rssMiB().orElse(-1);
        BenchResults.Throughput t =
            new BenchResults.Throughput(
                meshes.size(),
                meshes.size() * config.throughputClusters(),
                ready,
                done - ready,
                meshes.size() - done,
                secondsAll,
                peakThreads,
                rss,
                endRss);
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("rssPeakResetBeforeSubmitting", rssReset);
        d.put("rkeUpInvocations", stack.recorder().counters().total(SideEffect.RKE_UP_INVOKED));
        d.put(
            "heatStacksCreated", stack.recorder().counters().total(SideEffect.HEAT_STACK_CREATED));
        details.put("throughput", d);
        say(
            "throughput: "
                + ready
                + " ready, "
                + t.failed()
                + " failed, "
                + t.lost()
                + " lost in "
                + secondsAll
                + " s; peak "
                + peakThreads
                + " threads, peak RSS "
                + rss
                + " MiB");
        return t;
      }
    }
  }

  /** Sends requests and follows them to their outcome on the latency platform. */
  private final class Runner {
    private final LocalStack stack;
    private final BusTap tap;
    private final RequestSender sender;
    private final SandboxLatencies latencies;

    Runner(LocalStack stack, BusTap tap, RequestSender sender, SandboxLatencies latencies) {
      this.stack = stack;
      this.tap = tap;
      this.sender = sender;
      this.latencies = latencies;
    }

    void send(String meshId, MeshRequested request) throws Exception {
      sender.send(Map.of(meshId, request));
    }

    MeshRun run(String meshId, MeshRequested request) throws Exception {
      List<String> clusters = request.clusters().stream().map(c -> c.name()).toList();
      Cpu.Mark cpuBefore = Cpu.Mark.now();
      long start = System.nanoTime();
      send(meshId, request);
      tap.awaitOutcomes(
          List.of(meshId),
          config.meshTimeout(),
          Duration.ofSeconds(30),
          n -> say("  waiting for " + meshId));
      Cpu cpu = Cpu.since(cpuBefore, Duration.ofNanos(System.nanoTime() - start));
      Optional<BusRecord> outcome = tap.outcome(meshId);
      Optional<BusRecord> requested = tap.request(meshId);
      boolean ready = outcome.isPresent() && outcome.get().event().payload() instanceof MeshReady;
      Double secs =
          outcome.isPresent() && requested.isPresent()
              ? round2(
                  Duration.between(requested.get().timestamp(), outcome.get().timestamp())
                          .toMillis()
                      / 1000.0)
              : null;
      CriticalPath.Result cp =
          CriticalPath.of(latencies, meshId, clusters, stack.recorder().steps().records());
      String what =
          outcome
              .map(o -> o.event().payload().getClass().getSimpleName())
              .orElse("no answer within " + config.meshTimeout());
      return new MeshRun(meshId, clusters, ready, what, secs, cp, cpu);
    }
  }

  /** The CPU {@code run} took, for a progress line. */
  private static String cpuNote(MeshRun run) {
    Cpu cpu = run.cpu();
    if (cpu.seconds() == null) {
      return "";
    }
    return "; CPU "
        + cpu.seconds()
        + " s of the "
        + cpu.availableSeconds()
        + " s the cores offered"
        + (cpu.jitSeconds() == null ? "" : ", the JIT's compilers " + cpu.jitSeconds() + " s");
  }

  private static Map<String, Object> describe(MeshRun run) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("mesh", run.meshId());
    m.put("clusters", run.clusters().size());
    m.put("outcome", run.outcome());
    m.put("seconds", run.seconds());
    m.put("criticalPathSeconds", seconds(run.criticalPath().total()));
    m.put("criticalPathClustersSeconds", seconds(run.criticalPath().clusters()));
    m.put("criticalPathMeshStepSeconds", seconds(run.criticalPath().meshStep()));
    m.put("overheadPct", run.overheadPct());
    m.put("cpuSeconds", run.cpu().seconds());
    m.put("jitCpuSeconds", run.cpu().jitSeconds());
    m.put("cpuAvailableSeconds", run.cpu().availableSeconds());
    return m;
  }

  private static Map<String, Object> detectionDetails(List<Detection.Sample> samples) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("pairs", samples.size());
    Map<String, List<Long>> byPair = new TreeMap<>();
    for (Detection.Sample s : samples) {
      byPair
          .computeIfAbsent(s.step().id() + " -> " + s.event(), k -> new ArrayList<>())
          .add(s.latency().toMillis());
    }
    Map<String, Object> per = new LinkedHashMap<>();
    byPair.forEach(
        (k, v) -> {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("pairs", v.size());
          m.put("p50Ms", Percentiles.of(v, 50));
          m.put("p95Ms", Percentiles.of(v, 95));
          m.put("maxMs", Percentiles.of(v, 100));
          per.put(k, m);
        });
    out.put("byStep", per);
    return out;
  }

  private Map<String, Object> configDescription() {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("profile", config.profile());
    c.put("scale", config.scale());
    c.put("latencies", config.latencies().describe());
    c.put("latencySpec", config.latencies().toSpec());
    c.put("sizes", config.sizes());
    c.put("nodesPerCluster", config.nodes());
    c.put("serviceSettings", config.serviceSettings());
    c.put(
        "serviceSettingsWhy",
        config.scaleRecheck()
            ? "mesh.service.recheck.max = kit default "
                + BenchConfig.KIT_RECHECK_MAX.toMillis()
                + " ms x scale, floored at recheck.first "
                + BenchConfig.KIT_RECHECK_FIRST.toMillis()
                + " ms: keeps the ratio of a step's length to its polling as on a real cloud;"
                + " every other setting is the services' default"
            : "every service setting is its default");
    c.put(
        "warmUp",
        "one mesh '"
            + BenchConfig.WARM_UP_MESH
            + "' of "
            + config.largest()
            + " clusters (the largest size) at the fast profile's pace before any figure, not"
            + " counted: the JVM has compiled the code the figures run, as in services that have"
            + " been up a while");
    Map<String, Object> t = new LinkedHashMap<>();
    t.put("meshes", config.throughputMeshes());
    t.put("clustersPerMesh", config.throughputClusters());
    t.put("nodesPerCluster", config.throughputNodes());
    t.put("latencies", config.throughputLatencies().describe());
    t.put("serviceSettings", config.throughputServiceSettings());
    c.put("throughput", t);
    return c;
  }

  private Map<String, String> definitions() {
    int n = config.largest();
    Map<String, String> d = new LinkedHashMap<>();
    d.put(
        "scaling",
        "T(N): a fresh mesh of N clusters, requested alone on the latency platform; seconds from"
            + " the Kafka timestamp of its MeshRequested record to that of its MeshReady");
    d.put("ratio16", "T(" + n + ") / T(1)");
    d.put(
        "sequentialSpeedup",
        "baseline / T("
            + n
            + "); baseline = the sum of T of "
            + n
            + " one-cluster meshes run back to back (each requested when the previous was"
            + " ready), cluster i with the shape of cluster i of the "
            + n
            + "-cluster mesh: the same per-cluster steps one cluster after another (without the"
            + " mesh step's connections, which favours the baseline)");
    d.put(
        "overheadPct",
        "the largest over the scaling runs of (T(N) - critical path) / critical path; critical"
            + " path from the configured latencies of the steps the sandbox step log shows:"
            + " max over clusters of max(heat-stack, vm-boot + ssh-ready) + rke-up +"
            + " cilium-rollout + metallb-rollout + lb-ip, then for meshes that connect the"
            + " slowest cluster's cilium-rollout (the re-rollout of its clustermesh-apiserver,"
            + " whose KVStoreMesh dials the remotes, or of its agents) + mesh-connect");
    d.put(
        "detection",
        "sandbox step finished (step log) to the Kafka timestamp of the event reporting it:"
            + " heat-stack -> VmsReady; ssh-ready of a server (or the cluster's VmsReady when"
            + " later: rke-service looks only then) -> rke-service's 'node <server>"
            + " ready' progress; rke-up -> ClusterUp; last cilium-rollout -> CiliumReady; lb-ip ->"
            + " LbIpAssigned; last mesh-connect or agent rollout after the last PortsUpdated ->"
            + " MeshReady; over every counted mesh of the latency platform; nearest-rank"
            + " percentiles");
    d.put(
        "interferenceRatio",
        "T(victim) / T(alone): two one-cluster meshes of the same shape whose IDs hash to the"
            + " partition of mesh '"
            + BenchConfig.SLOW_MESH
            + "' (murmur2 of the key, positive, mod partitions); 'alone' runs with nothing"
            + " else, 'victim' is requested while '"
            + BenchConfig.SLOW_MESH
            + "' is in its rke up, "
            + BenchConfig.SLOW_FACTOR
            + " times the profile's (rke-up@"
            + BenchConfig.SLOW_MESH
            + "/*=x"
            + BenchConfig.SLOW_FACTOR
            + "), and still in it when the victim is ready");
    d.put(
        "throughput",
        "on a fresh platform, every mesh submitted at once; seconds from the first request's"
            + " record to the last answer's; lost = no answer when the wait ended; peak threads"
            + " (ThreadMXBean, reset before submitting) and peak RSS (VmHWM, reset through"
            + " /proc/self/clear_refs where allowed) of this process; rke stand-in processes are"
            + " not counted");
    d.put(
        "startup",
        "from starting local mode (fresh folder) until every service's consumer group is stable"
            + " with partitions assigned; RSS = the process's peak resident set (VmHWM) then");
    return d;
  }

  /**
   * Waits until the consumer group of each of the five services is stable with assignments (the end
   * of the startup figure).
   *
   * @throws IllegalStateException when they are not within {@code timeout}
   */
  public static void awaitConsumersAssigned(String bootstrapServers, Duration timeout)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
      while (true) {
        if (allAssigned(admin)) {
          return;
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "the services' consumers were not assigned within " + timeout);
        }
        TimeUnit.MILLISECONDS.sleep(50);
      }
    }
  }

  /**
   * Whether every service's group is stable with partitions assigned; a group the broker does not
   * know yet (its consumer has not joined: GroupIdNotFoundException) is not.
   */
  private static boolean allAssigned(Admin admin) throws Exception {
    Map<String, ConsumerGroupDescription> groups;
    try {
      groups =
          admin.describeConsumerGroups(SandboxPlatform.SERVICES).all().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof GroupIdNotFoundException) {
        return false;
      }
      throw e;
    }
    return groups.values().stream()
        .allMatch(
            g ->
                g.groupState() == GroupState.STABLE
                    && g.members().stream()
                        .anyMatch(m -> !m.assignment().topicPartitions().isEmpty()));
  }

  private static int partitions(String bootstrapServers, String topic) throws Exception {
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
      return admin
          .describeTopics(List.of(topic))
          .allTopicNames()
          .get(30, TimeUnit.SECONDS)
          .get(topic)
          .partitions()
          .size();
    }
  }

  private Path fresh(String name) throws Exception {
    Path dir = workDir.resolve(name);
    if (Files.exists(dir)) {
      throw new IllegalStateException(dir + " exists: a benchmark needs fresh folders");
    }
    Files.createDirectories(dir);
    return dir;
  }

  private void say(String line) {
    long s = (System.nanoTime() - started) / 1_000_000_000L;
    String load = MachineInfo.loadAverage();
    try {
      maxLoad = Math.max(maxLoad, Double.parseDouble(load.split(" ")[0]));
    } catch (NumberFormatException e) {
      // no /proc/loadavg: nothing to track
    }
    progress.printf(
        Locale.ROOT, "[bench %02d:%02d load %s] %s%n", s / 60, s % 60, load.split(" ")[0], line);
    progress.flush();
  }

  static double seconds(Duration d) {
    return round2(d.toMillis() / 1000.0);
  }

  static double round2(double v) {
    return Math.round(v * 100) / 100.0;
  }

  /** Mesh IDs as a comma-separated list, for messages. */
  static String ids(Collection<String> ids) {
    return String.join(", ", ids);
  }
}
