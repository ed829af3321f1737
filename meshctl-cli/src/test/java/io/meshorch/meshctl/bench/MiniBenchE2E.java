package io.meshorch.meshctl.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A miniature {@code meshctl bench} through the same code path as the real one (two fresh local
 * platforms, every figure): meshes of 1 and 2 one-node clusters at 1/500 of a real cloud's pace, a
 * baseline of two, interference, and 3 meshes of 2 clusters at once. It checks that every figure is
 * measured, not that the goals are met: that depends on the machine (docs/benchmarks.md).
 */
class MiniBenchE2E {
  /** Writes to two streams. */
  private static final class TeeOutputStream extends java.io.OutputStream {
    private final java.io.OutputStream a;
    private final java.io.OutputStream b;

    TeeOutputStream(java.io.OutputStream a, java.io.OutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public void write(int c) throws java.io.IOException {
      a.write(c);
      b.write(c);
    }

    @Override
    public void write(byte[] bytes, int off, int len) throws java.io.IOException {
      a.write(bytes, off, len);
      b.write(bytes, off, len);
    }
  }

  @Test
  void measuresEveryFigureOfTheBenchmark(@TempDir Path work) throws Exception {
    BenchConfig mini =
        new BenchConfig(
            "realistic",
            0.002,
            List.of(1, 2),
            1,
            true,
            true,
            3,
            2,
            1,
            "fast",
            true,
            false,
            Duration.ofMinutes(2),
            Duration.ofMinutes(2));
    ByteArrayOutputStream progress = new ByteArrayOutputStream();

    // Progress to the test's output file too (what a slow CI run would need to be understood).
    PrintStream both =
        new PrintStream(new TeeOutputStream(progress, System.err), true, StandardCharsets.UTF_8);

    BenchResults r = new Bench(mini, work, both).run();

    assertThat(r.scaling()).containsOnlyKeys(1, 2);
    assertThat(r.scaling().values()).allSatisfy(t -> assertThat(t).isPositive());
    assertThat(r.ratio16()).isPositive();
    assertThat(r.sequentialSpeedup()).isPositive();
    assertThat(r.overheadPct()).isNotNull();
    assertThat(r.detectionP50Ms()).isNotNull().isLessThanOrEqualTo(r.detectionP95Ms());
    assertThat(r.interferenceRatio()).as("slow mesh in its rke up beside the victim").isPositive();
    assertThat(r.throughput().ready()).isEqualTo(3);
    assertThat(r.throughput().lost()).isZero();
    assertThat(r.throughput().clusters()).isEqualTo(6);
    assertThat(r.throughput().peakThreads()).isPositive();
    assertThat(r.startupS()).isPositive();
    assertThat(r.machine()).containsKeys("cores", "memoryGiB", "jvm", "os", "loadBefore");
    @SuppressWarnings("unchecked")
    Map<String, Object> settings = (Map<String, Object>) r.config().get("serviceSettings");
    assertThat(settings).containsEntry("mesh.service.recheck.max", "200ms");
    assertThat(progress.toString(StandardCharsets.UTF_8))
        .contains("platform ready")
        .contains("sequential baseline")
        .contains("throughput: 3 ready");
  }
}
