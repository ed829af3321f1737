package io.meshorch.meshctl.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class ProcessStatsTest {
  private static final String STATUS =
      "Name:\tjava\nVmPeak:\t 9000000 kB\nVmHWM:\t  812345 kB\nVmRSS:\t  700000 kB\nThreads:\t210\n";

  @Test
  void readsResidentSetFieldsInKib() {
    assertThat(ProcessStats.parseKib(STATUS, "VmHWM")).isEqualTo(OptionalLong.of(812_345));
    assertThat(ProcessStats.parseKib(STATUS, "VmRSS")).isEqualTo(OptionalLong.of(700_000));
    assertThat(ProcessStats.parseKib(STATUS, "VmSwap")).isEmpty();
  }

  @Test
  void measuresThisProcess() {
    assertThat(ProcessStats.threads()).isPositive();
    assertThat(ProcessStats.peakThreads()).isGreaterThanOrEqualTo(ProcessStats.threads());
    ProcessStats.rssMiB().ifPresent(rss -> assertThat(rss).isPositive());
  }
}
