package io.meshorch.meshctl.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * What this process uses: resident memory from {@code /proc/self/status} ({@code VmRSS} now, {@code
 * VmHWM} its peak) and threads from the {@link ThreadMXBean} (live and peak). Child processes (the
 * sandbox's {@code rke} stand-in runs) are not counted.
 */
public final class ProcessStats {
  private static final Path STATUS = Path.of("/proc/self/status");
  private static final Path CLEAR_REFS = Path.of("/proc/self/clear_refs");

  private ProcessStats() {}

  /** {@code VmRSS} in MiB, if the platform has {@code /proc}. */
  public static OptionalLong rssMiB() {
    return statusKib("VmRSS").stream().map(k -> k / 1024).findFirst();
  }

  /** {@code VmHWM} (peak resident set since start or the last {@link #resetPeaks}) in MiB. */
  public static OptionalLong peakRssMiB() {
    return statusKib("VmHWM").stream().map(k -> k / 1024).findFirst();
  }

  /** Peak live threads since start or the last {@link #resetPeaks}. */
  public static int peakThreads() {
    return ManagementFactory.getThreadMXBean().getPeakThreadCount();
  }

  /** Live threads now. */
  public static int threads() {
    return ManagementFactory.getThreadMXBean().getThreadCount();
  }

  /**
   * Resets the peak thread count and, where Linux allows it (writing 5 to {@code
   * /proc/self/clear_refs}), the resident-set peak.
   *
   * @return true when the resident-set peak was reset too
   */
  public static boolean resetPeaks() {
    ManagementFactory.getThreadMXBean().resetPeakThreadCount();
    try {
      Files.writeString(CLEAR_REFS, "5", StandardCharsets.US_ASCII);
      return true;
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return false;
    }
  }

  /** A {@code /proc/self/status} field in KiB, e.g. {@code VmRSS}. */
  static OptionalLong statusKib(String field) {
    try {
      return parseKib(Files.readString(STATUS, StandardCharsets.US_ASCII), field);
    } catch (IOException e) {
      return OptionalLong.empty();
    }
  }

  /** The value of {@code field} ({@code VmRSS: 123456 kB}) in a status text, in KiB. */
  static OptionalLong parseKib(String status, String field) {
    for (String line : status.split("\n")) {
      if (line.startsWith(field + ":")) {
        String value = line.substring(field.length() + 1).trim();
        int space = value.indexOf(' ');
        try {
          return OptionalLong.of(Long.parseLong(space < 0 ? value : value.substring(0, space)));
        } catch (NumberFormatException e) {
          return OptionalLong.empty();
        }
      }
    }
    return OptionalLong.empty();
  }
}
