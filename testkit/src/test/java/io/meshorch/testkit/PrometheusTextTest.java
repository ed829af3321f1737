package io.meshorch.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PrometheusTextTest {
  private static final String SCRAPE =
      """
      # HELP mesh_step_duration_seconds Time from a step's start to its outcome
      # TYPE mesh_step_duration_seconds histogram
      mesh_step_duration_seconds_count{outcome="completed",service="infra",stage="vms"} 2.0
      mesh_step_duration_seconds_count{outcome="completed",service="infra",stage="ports"} 3.0
      mesh_step_duration_seconds_count{outcome="failed",service="infra",stage="vms"} 1.0
      mesh_step_duration_seconds_count_extra{outcome="completed"} 100.0
      process_uptime_seconds 12.5
      """;

  @Test
  void sumsTheSamplesOfANameWithEveryLabelGiven() {
    assertThat(PrometheusText.sum(SCRAPE, "mesh_step_duration_seconds_count")).isEqualTo(6.0);
    assertThat(
            PrometheusText.sum(SCRAPE, "mesh_step_duration_seconds_count", "outcome=\"completed\""))
        .isEqualTo(5.0);
    assertThat(
            PrometheusText.sum(
                SCRAPE,
                "mesh_step_duration_seconds_count",
                "outcome=\"completed\"",
                "stage=\"vms\""))
        .isEqualTo(2.0);
    assertThat(PrometheusText.sum(SCRAPE, "process_uptime_seconds")).isEqualTo(12.5);
    assertThat(PrometheusText.sum(SCRAPE, "mesh_steps_in_flight")).isZero();
  }
}
