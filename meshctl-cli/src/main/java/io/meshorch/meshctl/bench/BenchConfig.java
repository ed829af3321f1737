package io.meshorch.meshctl.bench;

import io.meshorch.meshctl.local.LocalStack;
import io.meshorch.sandbox.core.SandboxLatencies;
import io.meshorch.sandbox.core.SandboxStep;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a benchmark run does: the latency profile and scale of the sandbox, the mesh sizes, the
 * throughput load, and whether the services' re-check back-off is scaled with the latencies.
 *
 * @param profile the sandbox profile of the latency figures ({@code realistic} or {@code fast})
 * @param scale the factor applied to the profile (0.02: 50 times faster than a real cloud)
 * @param sizes the mesh sizes of the scaling figure, smallest first (the issue: 1, 4, 16)
 * @param nodes nodes per cluster in the latency figures
 * @param sequential whether to run the sequential baseline (one-cluster meshes, as many as the
 *     largest size, back to back)
 * @param interference whether to run the interference figure
 * @param throughputMeshes meshes submitted at once in the throughput figure (0: skip it)
 * @param throughputClusters clusters per throughput mesh
 * @param throughputNodes nodes per throughput cluster
 * @param throughputLatency the sandbox latency spec of the throughput platform
 * @param scaleRecheck whether {@code mesh.service.recheck.max} of the latency platform is the kit's
 *     default times {@code scale} (floored at {@code recheck.first}) instead of the default
 * @param throughputScaleRecheck the same for the throughput platform (default no: hundreds of
 *     clusters polled at a real cloud's rate compressed fifty times would measure this machine's
 *     CPU, not the product)
 * @param meshTimeout the longest wait for one mesh of the latency figures
 * @param throughputTimeout the longest wait for the throughput figure
 */
public record BenchConfig(
    String profile,
    double scale,
    List<Integer> sizes,
    int nodes,
    boolean sequential,
    boolean interference,
    int throughputMeshes,
    int throughputClusters,
    int throughputNodes,
    String throughputLatency,
    boolean scaleRecheck,
    boolean throughputScaleRecheck,
    Duration meshTimeout,
    Duration throughputTimeout) {

  /** service-kit's {@code mesh.service.recheck.first} default (MeshServiceProperties). */
  public static final Duration KIT_RECHECK_FIRST = Duration.ofMillis(200);

  /** service-kit's {@code mesh.service.recheck.max} default (MeshServiceProperties). */
  public static final Duration KIT_RECHECK_MAX = Duration.ofSeconds(5);

  /** The slow mesh of the interference figure; its {@code rke-up} takes ten times as long. */
  public static final String SLOW_MESH = "slow";

  /** The warm-up mesh, run before any figure with every step at the fast profile's pace. */
  public static final String WARM_UP_MESH = "warmup";

  /** How many times longer the slow mesh's {@code rke-up} is. */
  public static final int SLOW_FACTOR = 10;

  public BenchConfig {
    sizes = List.copyOf(sizes);
    if (sizes.isEmpty() || sizes.get(0) != 1) {
      throw new IllegalArgumentException("sizes must start with 1, found " + sizes);
    }
    List<Integer> sorted = new ArrayList<>(sizes);
    Collections.sort(sorted);
    if (!sorted.equals(sizes) || sizes.get(sizes.size() - 1) > 32) {
      throw new IllegalArgumentException("sizes must ascend, at most 32 clusters: " + sizes);
    }
    if (!(scale > 0)) {
      throw new IllegalArgumentException("scale must be positive, found " + scale);
    }
    SandboxLatencies.parse(profile); // fails naming the bad token
    SandboxLatencies.parse(throughputLatency);
  }

  /**
   * The issue's benchmark: realistic profile at 1/50, meshes of 1, 4 and 16 clusters of 2 nodes,
   * the baseline of 16, interference, and 250 meshes of 2 one-node clusters at the same pace.
   */
  public static BenchConfig standard() {
    return new BenchConfig(
        "realistic",
        0.02,
        List.of(1, 4, 16),
        2,
        true,
        true,
        250,
        2,
        1,
        "realistic,scale=0.02",
        true,
        false,
        Duration.ofMinutes(5),
        Duration.ofMinutes(15));
  }

  /** The largest mesh size. */
  public int largest() {
    return sizes.get(sizes.size() - 1);
  }

  /**
   * The sandbox latencies of the latency figures: the profile at the scale, the warm-up mesh at the
   * fast profile's pace, and the slow mesh's {@code rke-up} {@value #SLOW_FACTOR} times as long.
   */
  public SandboxLatencies latencies() {
    StringBuilder spec = new StringBuilder(profile).append(",scale=").append(scale);
    for (SandboxStep step : SandboxStep.values()) {
      spec.append(',')
          .append(step.id())
          .append('@')
          .append(WARM_UP_MESH)
          .append("/*=")
          .append(step.fast().toMillis())
          .append("ms");
    }
    spec.append(",rke-up@").append(SLOW_MESH).append("/*=x").append(SLOW_FACTOR);
    return SandboxLatencies.parse(spec.toString());
  }

  /** The sandbox latencies of the throughput figure (on top of local mode's defaults). */
  public SandboxLatencies throughputLatencies() {
    return LocalStack.latencies(List.of(throughputLatency));
  }

  /** {@code mesh.service.recheck.max} for a platform whose latencies are scaled by {@code s}. */
  public static Duration recheckMax(double s) {
    long scaled = Math.round(KIT_RECHECK_MAX.toMillis() * s);
    return Duration.ofMillis(
        Math.min(KIT_RECHECK_MAX.toMillis(), Math.max(scaled, KIT_RECHECK_FIRST.toMillis())));
  }

  /** The settings every service of the latency platform gets beyond its defaults. */
  public Map<String, String> serviceSettings() {
    return settings(scaleRecheck, scale);
  }

  /** The settings every service of the throughput platform gets beyond its defaults. */
  public Map<String, String> throughputServiceSettings() {
    return settings(throughputScaleRecheck, throughputScale());
  }

  private static Map<String, String> settings(boolean scaled, double s) {
    Map<String, String> out = new LinkedHashMap<>();
    if (scaled) {
      out.put("mesh.service.recheck.max", recheckMax(s).toMillis() + "ms");
    }
    return out;
  }

  /** The scale of the throughput latencies. */
  public double throughputScale() {
    return throughputLatencies().scale();
  }
}
