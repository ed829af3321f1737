package io.meshorch.cni.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshorch.charts.ChartArchive;
import io.meshorch.charts.ChartChecksumException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mesh.cilium.chart} and {@code mesh.cilium.chart-sha256}, as the service reads them. */
class ChartSettingTest {
  private static final String KEPT =
      "5923f9d9fcb11bc4692ad52353cc791b935d96e09ba0c535c5a8b88ea8a37572";

  @Test
  void usesTheKeptArchiveByNameWithOrWithoutItsDigest() {
    assertThat(CniServiceConfiguration.chartArchive("cilium-1.18.12.tgz", "").sha256())
        .isEqualTo(KEPT);
    assertThat(CniServiceConfiguration.chartArchive("cilium-1.18.12.tgz", KEPT).sha256())
        .isEqualTo(KEPT);
  }

  @Test
  void refusesAKeptArchiveWhosePinnedDigestDiffers() {
    String other = "0".repeat(64);

    assertThatThrownBy(() -> CniServiceConfiguration.chartArchive("cilium-1.18.12.tgz", other))
        .isInstanceOf(ChartChecksumException.class)
        .hasMessageContaining("cilium-1.18.12.tgz")
        .hasMessageContaining("expected " + other)
        .hasMessageContaining("actual " + KEPT);
  }

  @Test
  void takesAnArchiveOnDiskOnlyWithItsDigest(@TempDir Path dir) throws Exception {
    Path copy = dir.resolve("cilium-1.18.12.tgz");
    try (var in =
        ChartArchive.class
            .getClassLoader()
            .getResourceAsStream(ChartArchive.BUNDLED_FOLDER + ChartArchive.CILIUM)) {
      Files.write(copy, in.readAllBytes());
    }

    assertThatThrownBy(() -> CniServiceConfiguration.chartArchive(copy.toString(), ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("mesh.cilium.chart-sha256 is required");
    assertThat(CniServiceConfiguration.chartArchive(copy.toString(), KEPT).name())
        .isEqualTo(copy.toString());
  }
}
