package io.meshorch.meshctl.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PercentilesTest {
  private static final List<Long> ONE_TO_TWENTY = LongStream.rangeClosed(1, 20).boxed().toList();

  @ParameterizedTest(name = "p{0} of 1..20 is {1}")
  @CsvSource({"50, 10", "95, 19", "100, 20", "1, 1", "5, 1", "96, 20"})
  void nearestRankIsAlwaysAMeasuredValue(double p, long expected) {
    assertThat(Percentiles.of(ONE_TO_TWENTY, p)).isEqualTo(expected);
  }

  @org.junit.jupiter.api.Test
  void orderOfTheInputDoesNotMatter() {
    assertThat(Percentiles.of(List.of(900L, 10L, 300L, 20L), 50)).isEqualTo(20);
    assertThat(Percentiles.of(List.of(900L, 10L, 300L, 20L), 95)).isEqualTo(900);
    assertThat(Percentiles.of(List.of(42L), 95)).isEqualTo(42);
  }

  @org.junit.jupiter.api.Test
  void refusesNoValuesAndPercentilesOutOfRange() {
    assertThatThrownBy(() -> Percentiles.of(List.of(), 50)).hasMessageContaining("no values");
    assertThatThrownBy(() -> Percentiles.of(List.of(1L), 0)).hasMessageContaining("(0, 100]");
    assertThatThrownBy(() -> Percentiles.of(List.of(1L), 101)).hasMessageContaining("(0, 100]");
  }
}
