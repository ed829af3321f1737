package io.meshorch.sandbox.core;

import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** Side effects the sandbox observed, per cluster and in total. Thread-safe. */
public final class SideEffectCounters {
  private final Map<ClusterRef, Map<SideEffect, AtomicLong>> byCluster = new ConcurrentHashMap<>();

  /** Counts one {@code effect} on {@code cluster}. */
  public void increment(SideEffect effect, ClusterRef cluster) {
    byCluster
        .computeIfAbsent(cluster, c -> new ConcurrentHashMap<>())
        .computeIfAbsent(effect, e -> new AtomicLong())
        .incrementAndGet();
  }

  /** How often {@code effect} happened on any cluster. */
  public long total(SideEffect effect) {
    return byCluster.values().stream()
        .mapToLong(m -> m.getOrDefault(effect, new AtomicLong()).get())
        .sum();
  }

  /** How often {@code effect} happened on clusters called {@code cluster} (any mesh). */
  public long count(SideEffect effect, String cluster) {
    return byCluster.entrySet().stream()
        .filter(e -> e.getKey().cluster().equals(cluster))
        .mapToLong(e -> e.getValue().getOrDefault(effect, new AtomicLong()).get())
        .sum();
  }

  /** How often {@code effect} happened on exactly {@code cluster}. */
  public long count(SideEffect effect, ClusterRef cluster) {
    Map<SideEffect, AtomicLong> counts = byCluster.get(cluster);
    return counts == null ? 0 : counts.getOrDefault(effect, new AtomicLong()).get();
  }

  /** Every effect's total, zeros included, in declaration order. */
  public Map<SideEffect, Long> totals() {
    Map<SideEffect, Long> out = new EnumMap<>(SideEffect.class);
    for (SideEffect effect : SideEffect.values()) {
      out.put(effect, total(effect));
    }
    return out;
  }

  /** A snapshot per cluster (by {@link ClusterRef#toString()}), only effects that happened. */
  public Map<String, Map<SideEffect, Long>> byCluster() {
    Map<String, Map<SideEffect, Long>> out = new TreeMap<>();
    byCluster.forEach(
        (cluster, counts) -> {
          Map<SideEffect, Long> snapshot = new EnumMap<>(SideEffect.class);
          counts.forEach((effect, n) -> snapshot.put(effect, n.get()));
          out.merge(
              cluster.toString(),
              snapshot,
              (a, b) -> {
                b.forEach((k, v) -> a.merge(k, v, Long::sum));
                return a;
              });
        });
    return out;
  }

  /** One line per cluster and a total line, e.g. for a test suite to print. */
  public String report() {
    StringBuilder out = new StringBuilder();
    byCluster()
        .forEach((cluster, counts) -> out.append(cluster).append(' ').append(counts).append('\n'));
    out.append("total ").append(totals()).append('\n');
    return out.toString();
  }
}
