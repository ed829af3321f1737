package io.meshorch.meshctl.bench;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * A figure's goal from the issue and the judgement of a measured value against it. A value that
 * misses its goal is reported as {@link Verdict#MISSED}, never hidden; a figure that could not be
 * measured is {@link Verdict#NOT_MEASURED}, which counts as missed.
 *
 * @param key the figure's key in {@code bench-results.json}
 * @param atMost true for "value ≤ limit", false for "value ≥ limit"
 * @param limit the limit
 * @param unit the unit as printed ({@code ""}, {@code "x"}, {@code " %"}, {@code " ms"}...)
 */
public record Goal(String key, boolean atMost, double limit, String unit) {

  /** How a value fares. */
  public enum Verdict {
    MET,
    MISSED,
    NOT_MEASURED
  }

  /** Value ≤ limit. */
  public static Goal atMost(String key, double limit, String unit) {
    return new Goal(key, true, limit, unit);
  }

  /** Value ≥ limit. */
  public static Goal atLeast(String key, double limit, String unit) {
    return new Goal(key, false, limit, unit);
  }

  /** The verdict for {@code value} (null or NaN: not measured). */
  public Verdict judge(Double value) {
    if (value == null || value.isNaN() || value.isInfinite()) {
      return Verdict.NOT_MEASURED;
    }
    boolean met = atMost ? value <= limit : value >= limit;
    return met ? Verdict.MET : Verdict.MISSED;
  }

  /** The goal as text, e.g. {@code <= 1.2} or {@code >= 10x}. */
  public String text() {
    return (atMost ? "<= " : ">= ") + number(limit) + unit;
  }

  /** A figure as printed: at most two decimals, no trailing zeros ({@code 1.2}, {@code 10}). */
  public static String number(double value) {
    return BigDecimal.valueOf(value)
        .setScale(2, RoundingMode.HALF_UP)
        .stripTrailingZeros()
        .toPlainString();
  }
}
