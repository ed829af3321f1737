package io.meshorch.meshctl.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;

/**
 * Percentiles by the nearest-rank method: the p-th percentile of n sorted values is the value at
 * rank {@code ceil(p / 100 * n)} (1-based), so it is always one of the measured values, never an
 * interpolation between two.
 */
public final class Percentiles {
  private Percentiles() {}

  /**
   * The {@code p}-th percentile of {@code values}.
   *
   * @param p in (0, 100]
   * @throws IllegalArgumentException when {@code values} is empty or {@code p} is out of range
   */
  public static long of(Collection<Long> values, double p) {
    if (values.isEmpty()) {
      throw new IllegalArgumentException("no values");
    }
    if (!(p > 0 && p <= 100)) {
      throw new IllegalArgumentException("percentile must be in (0, 100], found " + p);
    }
    List<Long> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int rank = (int) Math.ceil(p / 100.0 * sorted.size());
    return sorted.get(Math.max(1, rank) - 1);
  }
}
