package io.meshorch.meshctl.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.json.JsonMapper;

/**
 * The figures of one benchmark run, as written to {@code bench-results.json}. A figure that could
 * not be measured is null (and judged {@link Goal.Verdict#NOT_MEASURED}).
 *
 * @param scaling mesh size N to T(N), seconds from the request's record to the MeshReady's
 * @param ratio16 T(largest)/T(1)
 * @param sequentialSpeedup the sequential baseline's total over T(largest)
 * @param overheadPct the largest orchestration overhead of the scaling runs, percent
 * @param detectionP50Ms detection latency, median
 * @param detectionP95Ms detection latency, 95th percentile
 * @param interferenceRatio T(victim beside the slow mesh) / T(same mesh alone)
 * @param throughput the throughput figure
 * @param startupS local platform start until every service's consumer has its partitions
 * @param startupRssMiB the process's peak resident set (VmHWM) at that moment
 * @param machine the machine ({@link MachineInfo#describe()} plus load averages)
 * @param config the configuration behind each figure
 * @param details per-run figures behind the headline ones
 * @param definitions how each figure is computed, in words
 */
public record BenchResults(
    Map<Integer, Double> scaling,
    Double ratio16,
    Double sequentialSpeedup,
    Double overheadPct,
    Long detectionP50Ms,
    Long detectionP95Ms,
    Double interferenceRatio,
    Throughput throughput,
    Double startupS,
    Long startupRssMiB,
    Map<String, Object> machine,
    Map<String, Object> config,
    Map<String, Object> details,
    Map<String, String> definitions) {

  /**
   * The throughput figure.
   *
   * @param meshes meshes submitted at once
   * @param clusters clusters in all
   * @param ready meshes that reached MeshReady
   * @param failed meshes answered MeshFailed or MeshRejected
   * @param lost meshes without any answer when the wait ended
   * @param seconds first request record to last answer record
   * @param peakThreads the process's peak live threads during the figure
   * @param rssMiB the process's peak resident set during the figure (VmHWM)
   * @param endRssMiB the resident set at the end (VmRSS)
   */
  public record Throughput(
      int meshes,
      int clusters,
      int ready,
      int failed,
      int lost,
      double seconds,
      int peakThreads,
      long rssMiB,
      long endRssMiB) {

    /** Meshes that did not become ready (failed or lost). */
    public int notReady() {
      return meshes - ready;
    }
  }

  /** The goals of the issue, in report order. */
  public static final List<Goal> GOALS =
      List.of(
          Goal.atMost("ratio16", 1.2, ""),
          Goal.atLeast("sequentialSpeedup", 10, "x"),
          Goal.atMost("overheadPct", 5, " %"),
          Goal.atMost("detectionP95Ms", 1000, " ms"),
          Goal.atMost("interferenceRatio", 1.1, ""),
          Goal.atMost("throughputNotReady", 0, " meshes"),
          Goal.atMost("startupS", 15, " s"),
          Goal.atMost("startupRssMiB", 1536, " MiB"));

  public BenchResults {
    scaling = scaling == null ? Map.of() : new TreeMap<>(scaling);
  }

  /** The value a goal judges (null when not measured). */
  public Double value(String key) {
    return switch (key) {
      case "ratio16" -> ratio16;
      case "sequentialSpeedup" -> sequentialSpeedup;
      case "overheadPct" -> overheadPct;
      case "detectionP95Ms" -> detectionP95Ms == null ? null : detectionP95Ms.doubleValue();
      case "interferenceRatio" -> interferenceRatio;
      case "throughputNotReady" -> throughput == null ? null : (double) throughput.notReady();
      case "startupS" -> startupS;
      case "startupRssMiB" -> startupRssMiB == null ? null : startupRssMiB.doubleValue();
      default -> throw new IllegalArgumentException("no figure " + key);
    };
  }

  /** Each goal's verdict, in {@link #GOALS} order. */
  public Map<Goal, Goal.Verdict> verdicts() {
    Map<Goal, Goal.Verdict> out = new LinkedHashMap<>();
    for (Goal goal : GOALS) {
      out.put(goal, goal.judge(value(goal.key())));
    }
    return out;
  }

  /** True when every goal is met. */
  public boolean allMet() {
    return verdicts().values().stream().allMatch(v -> v == Goal.Verdict.MET);
  }

  /** The results as the JSON object of {@code bench-results.json} (keys in a fixed order). */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    Map<String, Object> s = new LinkedHashMap<>();
    scaling.forEach((n, t) -> s.put(String.valueOf(n), t));
    m.put("scaling", s);
    m.put("ratio16", ratio16);
    m.put("sequentialSpeedup", sequentialSpeedup);
    m.put("overheadPct", overheadPct);
    m.put("detectionP50Ms", detectionP50Ms);
    m.put("detectionP95Ms", detectionP95Ms);
    m.put("interferenceRatio", interferenceRatio);
    if (throughput == null) {
      m.put("throughput", null);
    } else {
      Map<String, Object> t = new LinkedHashMap<>();
      t.put("meshes", throughput.meshes());
      t.put("clusters", throughput.clusters());
      t.put("ready", throughput.ready());
      t.put("failed", throughput.failed());
      t.put("lost", throughput.lost());
      t.put("seconds", throughput.seconds());
      t.put("peakThreads", throughput.peakThreads());
      t.put("rssMiB", throughput.rssMiB());
      t.put("endRssMiB", throughput.endRssMiB());
      m.put("throughput", t);
    }
    m.put("startupS", startupS);
    m.put("startupRssMiB", startupRssMiB);
    m.put("machine", machine);
    Map<String, Object> goals = new LinkedHashMap<>();
    verdicts()
        .forEach(
            (goal, verdict) -> {
              Map<String, Object> g = new LinkedHashMap<>();
              g.put("goal", goal.text());
              g.put("value", value(goal.key()));
              g.put("verdict", verdict.name());
              goals.put(goal.key(), g);
            });
    m.put("goals", goals);
    m.put("config", config);
    m.put("details", details);
    m.put("definitions", definitions);
    return m;
  }

  /** {@link #toMap()} as pretty-printed JSON. */
  public String toJson() {
    return JsonMapper.builder().build().writerWithDefaultPrettyPrinter().writeValueAsString(toMap())
        + "\n";
  }
}
