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
  void readsUserAndSystemTimeOfAStatLineWhoseCommandHoldsSpacesAndParentheses() {
    // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime
    String stat = "4242 (C2 Compiler) (x)) S 1 4242 4242 0 -1 4194368 100 0 0 0 1234 56 0 0 20 0 1";

    assertThat(ProcessStats.parseCpuMillis(stat)).isEqualTo(OptionalLong.of((1234 + 56) * 10));
    assertThat(ProcessStats.parseCpuMillis("4242 (java) S 1 2")).isEmpty();
  }

  @Test
  void measuresTheCpuOfThisProcessAndItsCompilers() {
    long before = ProcessStats.cpuMillis().orElseThrow();
    // Busy until the process has used 100 ms more CPU (at most 20 s, however busy the machine).
    long deadline = System.nanoTime() + 20_000_000_000L;
    long x = 0;
    while (ProcessStats.cpuMillis().orElseThrow() - before < 100 && System.nanoTime() < deadline) {
      for (int i = 0; i < 1_000_000; i++) {
        x += x * 31 + i;
      }
    }
    assertThat(x).isNotZero();
    assertThat(ProcessStats.cpuMillis().orElseThrow() - before).isGreaterThanOrEqualTo(100);
    // This JVM has compiled something by now (JUnit itself), on its C1 or C2 threads.
    assertThat(ProcessStats.compilerCpuMillis().orElseThrow()).isPositive();
  }

  @Test
  void measuresThisProcess() {
    assertThat(ProcessStats.threads()).isPositive();
    assertThat(ProcessStats.peakThreads()).isGreaterThanOrEqualTo(ProcessStats.threads());
    ProcessStats.rssMiB().ifPresent(rss -> assertThat(rss).isPositive());
  }
}
