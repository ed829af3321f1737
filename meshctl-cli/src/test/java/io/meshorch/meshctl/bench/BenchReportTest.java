package io.meshorch.meshctl.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchReportTest {
  @Test
  void theTableShowsEachFigureWithItsGoalAndSaysMissedWhereMissed() {
    String text =
        BenchReport.text(BenchResultsTest.sample(12.7, BenchResultsTest.throughput(250, 0)));

    assertThat(text).contains("T(1) / T(4) / T(16)").contains("18.2 / 18.9 / 20.5 s");
    assertThat(text).containsPattern("orchestration overhead.*12\\.7 %.*<= 5 %.*MISSED");
    assertThat(text).containsPattern("T\\(largest\\)/T\\(1\\).*1\\.13.*<= 1\\.2.*MET");
    assertThat(text)
        .containsPattern("throughput 250 meshes x 2 clusters.*250 ready, 0 failed, 0 lost");
  }

  @Test
  void aFigureNotMeasuredReadsSo() {
    String text = BenchReport.text(BenchResultsTest.sample(null, null));

    assertThat(text)
        .containsPattern("orchestration overhead.*not measured.*MISSED \\(not measured\\)");
  }

  @Test
  void refreshingTheDocsKeepsTheTextAroundTheGeneratedPart(@TempDir Path dir) throws Exception {
    Path page = dir.resolve("benchmarks.md");
    BenchResults first = BenchResultsTest.sample(12.7, BenchResultsTest.throughput(250, 0));
    BenchReport.writeDocs(page, first, "2026-11-29T12:00:00Z");
    String written = Files.readString(page);
    Files.writeString(
        page,
        written.replace("# Benchmarks\n", "# Benchmarks\n\nHand-written intro.\n")
            + "\n## What limits the figures\n\nHand-written analysis.\n");

    BenchReport.writeDocs(
        page,
        BenchResultsTest.sample(3.1, BenchResultsTest.throughput(250, 0)),
        "2026-11-30T08:00:00Z");

    String refreshed = Files.readString(page);
    assertThat(refreshed).contains("Hand-written intro.").contains("Hand-written analysis.");
    assertThat(refreshed).contains("2026-11-30T08:00:00Z").doesNotContain("2026-11-29T12:00:00Z");
    assertThat(refreshed).contains("| 3.1 % |").doesNotContain("12.7 %");
    assertThat(refreshed.indexOf(BenchReport.BEGIN))
        .isEqualTo(refreshed.lastIndexOf(BenchReport.BEGIN));
  }

  @Test
  void aMissedGoalIsBoldInTheDocs() {
    String md =
        BenchReport.markdown(
            BenchResultsTest.sample(12.7, BenchResultsTest.throughput(250, 0)), "now");

    assertThat(md).contains("| 12.7 % | ≤ 5 % | **MISSED** |");
  }

  @Test
  void theCpuOfEachScalingRunIsListedByN() {
    Map<String, Object> one = new LinkedHashMap<>();
    one.put("cpuSeconds", 9.86);
    one.put("cpuAvailableSeconds", 35.08);
    one.put("jitCpuSeconds", 7.12);
    Map<String, Object> sixteen = new LinkedHashMap<>();
    sixteen.put("cpuSeconds", 30.81);
    sixteen.put("cpuAvailableSeconds", 53.09);
    sixteen.put("jitCpuSeconds", null);
    Map<String, Object> runs = new LinkedHashMap<>();
    runs.put("1", one);
    runs.put("16", sixteen);

    assertThat(BenchReport.cpuByN(Map.of("scalingRuns", runs)))
        .isEqualTo("N = 1: 9.86 s of 35.08 s, JIT 7.12 s; N = 16: 30.81 s of 53.09 s");
    assertThat(BenchReport.cpuByN(Map.of())).isEmpty();
  }
}
