package io.meshorch.charts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChartArchiveTest {
  private static final String CILIUM_SHA256 =
      "5923f9d9fcb11bc4692ad52353cc791b935d96e09ba0c535c5a8b88ea8a37572";

  @Test
  void bundledCiliumChartMatchesItsPinnedDigest() {
    ChartArchive chart = ChartArchive.bundled(ChartArchive.CILIUM);

    assertThat(chart.sha256()).isEqualTo(CILIUM_SHA256);
    assertThat(chart.name()).isEqualTo("cilium-1.18.12.tgz");
  }

  @Test
  void refusesAnArchiveWhoseDigestDiffersNamingFileExpectedAndActual(@TempDir Path dir)
      throws IOException {
    Path tampered = dir.resolve("cilium-1.18.12.tgz");
    byte[] original =
        ChartArchive.class
            .getClassLoader()
            .getResourceAsStream(ChartArchive.BUNDLED_FOLDER + ChartArchive.CILIUM)
            .readAllBytes();
    original[original.length / 2] ^= 1;
    Files.write(tampered, original);

    assertThatThrownBy(() -> ChartArchive.fromFile(tampered, CILIUM_SHA256))
        .isInstanceOf(ChartChecksumException.class)
        .hasMessageContaining(tampered.toString())
        .hasMessageContaining("expected " + CILIUM_SHA256)
        .hasMessageMatching("(?s).*actual [0-9a-f]{64}.*")
        .satisfies(
            e -> assertThat(((ChartChecksumException) e).actual()).isNotEqualTo(CILIUM_SHA256));
  }

  @Test
  void acceptsAnotherArchiveWithItsOwnDigest(@TempDir Path dir) throws IOException {
    Path other = dir.resolve("other.tgz");
    Files.writeString(other, "not really a chart");
    String digest = "a4b1a3e2d0fcd9a0d1a4e8b6f7c2c9e1d9f0c1e0b5c4d3a2b1c0d9e8f7a6b5c4";

    assertThatThrownBy(() -> ChartArchive.fromFile(other, digest))
        .isInstanceOf(ChartChecksumException.class);
    String actual = ((ChartChecksumException) catchChecksum(other, digest)).actual();
    assertThat(ChartArchive.fromFile(other, actual.toUpperCase()).sha256()).isEqualTo(actual);
  }

  @Test
  void refusesADigestThatIsNotSha256() {
    assertThatThrownBy(() -> ChartArchive.of("x.tgz", new byte[] {1}, "abc"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("x.tgz")
        .hasMessageContaining("64 hex digits");
  }

  private static Throwable catchChecksum(Path file, String digest) {
    try {
      ChartArchive.fromFile(file, digest);
      throw new AssertionError("no checksum error");
    } catch (ChartChecksumException e) {
      return e;
    }
  }
}
