package io.meshorch.meshctl.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class BenchResultsTest {
  static BenchResults sample(Double overheadPct, BenchResults.Throughput throughput) {
    Map<Integer, Double> scaling = new LinkedHashMap<>();
    scaling.put(16, 20.5);
    scaling.put(1, 18.2);
    scaling.put(4, 18.9);
    return new BenchResults(
        scaling,
        1.13,
        14.2,
        overheadPct,
        180L,
        640L,
        1.04,
        throughput,
        11.5,
        790L,
        Map.of("cores", 2),
        Map.of("profile", "realistic", "scale", 0.02),
        Map.of(),
        Map.of("ratio16", "T(16) / T(1)"));
  }

  static BenchResults.Throughput throughput(int ready, int lost) {
    return new BenchResults.Throughput(
        250, 500, ready, 250 - ready - lost, lost, 301.5, 212, 1800, 1500);
  }

  private static JsonNode json(BenchResults r) {
    return JsonMapper.builder().build().readTree(r.toJson());
  }

  @Test
  void writesEveryKeyTheIssueAsksFor() {
    JsonNode json = json(sample(3.2, throughput(250, 0)));

    assertThat(json.propertyNames())
        .containsSubsequence(
            "scaling",
            "ratio16",
            "sequentialSpeedup",
            "overheadPct",
            "detectionP50Ms",
            "detectionP95Ms",
            "interferenceRatio",
            "throughput",
            "startupS",
            "startupRssMiB",
            "machine");
    assertThat(json.get("scaling").propertyNames()).containsExactly("1", "4", "16");
    assertThat(json.get("scaling").get("16").asDouble()).isEqualTo(20.5);
    assertThat(json.get("throughput").propertyNames())
        .contains("meshes", "clusters", "ready", "lost", "seconds", "peakThreads", "rssMiB");
    assertThat(json.get("throughput").get("ready").asInt()).isEqualTo(250);
    assertThat(json.get("detectionP95Ms").asLong()).isEqualTo(640);
    assertThat(json.get("config").get("profile").asString()).isEqualTo("realistic");
  }

  @Test
  void aMissedGoalIsWrittenAsMissedNotLeftOut() {
    BenchResults r = sample(12.7, throughput(249, 1));

    JsonNode goals = json(r).get("goals");

    assertThat(goals.get("overheadPct").get("verdict").asString()).isEqualTo("MISSED");
    assertThat(goals.get("overheadPct").get("value").asDouble()).isEqualTo(12.7);
    assertThat(goals.get("throughputNotReady").get("verdict").asString()).isEqualTo("MISSED");
    assertThat(goals.get("ratio16").get("verdict").asString()).isEqualTo("MET");
    assertThat(r.allMet()).isFalse();
  }

  @Test
  void aFigureThatCouldNotBeMeasuredIsNullAndMissed() {
    BenchResults r = sample(null, null);

    JsonNode json = json(r);

    assertThat(json.get("overheadPct").isNull()).isTrue();
    assertThat(json.get("throughput").isNull()).isTrue();
    assertThat(json.get("goals").get("overheadPct").get("verdict").asString())
        .isEqualTo("NOT_MEASURED");
    assertThat(r.allMet()).isFalse();
  }

  @Test
  void allGoalsMetIsSaidSo() {
    assertThat(sample(3.2, throughput(250, 0)).allMet()).isTrue();
  }
}
