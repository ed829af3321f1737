package io.meshorch.meshctl.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshorch.sandbox.core.ClusterRef;
import io.meshorch.sandbox.core.SandboxLatencies;
import io.meshorch.sandbox.core.SandboxStep;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BenchConfigTest {
  @Test
  void theRecheckCeilingFollowsTheScaleButNeverDropsBelowTheFirstPause() {
    assertThat(BenchConfig.recheckMax(1)).isEqualTo(Duration.ofSeconds(5));
    assertThat(BenchConfig.recheckMax(0.1)).isEqualTo(Duration.ofMillis(500));
    assertThat(BenchConfig.recheckMax(0.02)).isEqualTo(Duration.ofMillis(200));
    assertThat(BenchConfig.recheckMax(3)).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void saysWhichServiceSettingsDifferFromTheDefaults() {
    BenchConfig standard = BenchConfig.standard();
    assertThat(standard.serviceSettings()).isEqualTo(Map.of("mesh.service.recheck.max", "200ms"));
    assertThat(standard.throughputServiceSettings()).as("throughput: defaults").isEmpty();

    BenchConfig scaledEverywhere =
        new BenchConfig(
            "realistic",
            0.1,
            List.of(1, 4),
            2,
            true,
            true,
            0,
            2,
            1,
            "realistic,scale=0.1",
            false,
            true,
            Duration.ofMinutes(1),
            Duration.ofMinutes(1));
    assertThat(scaledEverywhere.serviceSettings()).isEmpty();
    assertThat(scaledEverywhere.throughputServiceSettings())
        .isEqualTo(Map.of("mesh.service.recheck.max", "500ms"));
  }

  @Test
  void theSlowMeshIsTenTimesSlowerInRkeUpAndTheWarmUpMeshRunsAtTheFastPace() {
    SandboxLatencies l = BenchConfig.standard().latencies();
    ClusterRef ordinary = new ClusterRef("n16", "c01");

    assertThat(l.of(SandboxStep.RKE_UP, ordinary)).isEqualTo(Duration.ofMillis(9_600));
    assertThat(l.of(SandboxStep.RKE_UP, new ClusterRef(BenchConfig.SLOW_MESH, "c01")))
        .isEqualTo(Duration.ofMillis(96_000));
    assertThat(l.of(SandboxStep.HEAT_STACK, new ClusterRef(BenchConfig.WARM_UP_MESH, "c02")))
        .isEqualTo(SandboxStep.HEAT_STACK.fast());
    assertThat(l.of(SandboxStep.RKE_UP, new ClusterRef(BenchConfig.WARM_UP_MESH, "c02"))).isZero();
  }

  @Test
  void refusesSizesThatDoNotStartWithOneOrExceedTheProductLimit() {
    assertThatThrownBy(() -> withSizes(List.of(4, 16))).hasMessageContaining("start with 1");
    assertThatThrownBy(() -> withSizes(List.of(1, 64))).hasMessageContaining("at most 32");
  }

  private static BenchConfig withSizes(List<Integer> sizes) {
    return new BenchConfig(
        "realistic",
        0.02,
        sizes,
        2,
        true,
        true,
        0,
        2,
        1,
        "fast",
        true,
        false,
        Duration.ofMinutes(1),
        Duration.ofMinutes(1));
  }
}
