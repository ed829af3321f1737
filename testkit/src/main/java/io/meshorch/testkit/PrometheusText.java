package io.meshorch.testkit;

import java.util.Arrays;

/** Reads what Prometheus scrapes from {@code /actuator/prometheus} (its text exposition format). */
public final class PrometheusText {
  private PrometheusText() {}

  /**
   * The sum of the samples of {@code name} whose labels contain every one of {@code labels} (each
   * written as in the exposition, e.g. {@code outcome="completed"}); 0 when there is none.
   */
  public static double sum(String exposition, String name, String... labels) {
    return exposition
        .lines()
        .filter(l -> l.startsWith(name + "{") || l.startsWith(name + " "))
        .filter(l -> Arrays.stream(labels).allMatch(l::contains))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .sum();
  }
}
