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

  /**
   * CPU time this process has used so far, user and system, every thread, from {@code
   * /proc/self/stat}; empty where there is no {@code /proc}.
   */
  public static OptionalLong cpuMillis() {
    return cpuMillis(Path.of("/proc/self/stat"));
  }

  /**
   * CPU time the JIT's compiler threads alive now have used so far (threads {@code C1
   * CompilerThre...} and {@code C2 CompilerThre...}); empty where there is no {@code /proc}. A
   * compiler thread that ended took its time with it (the JVM starts and stops some as the queue
   * grows and shrinks).
   */
  public static OptionalLong compilerCpuMillis() {
    Path tasks = Path.of("/proc/self/task");
    if (!Files.isDirectory(tasks)) {
      return OptionalLong.empty();
    }
    long sum = 0;
    try (var threads = Files.list(tasks)) {
      for (Path task : (Iterable<Path>) threads::iterator) {
        String name;
        try {
          name = Files.readString(task.resolve("comm"), StandardCharsets.US_ASCII).trim();
        } catch (IOException e) {
          continue; // ended meanwhile
        }
        if (name.matches("C[12] CompilerThre.*")) {
          sum += cpuMillis(task.resolve("stat")).orElse(0);
        }
      }
    } catch (IOException e) {
      return OptionalLong.empty();
    }
    return OptionalLong.of(sum);
  }

  private static OptionalLong cpuMillis(Path stat) {
    try {
      return parseCpuMillis(Files.readString(stat, StandardCharsets.US_ASCII));
    } catch (IOException e) {
      return OptionalLong.empty();
    }
  }

  /**
   * User plus system time of a {@code stat} line ({@code proc(5)}: fields 14 and 15, in clock ticks
   * of 1/100 s, Linux's {@code USER_HZ} on every architecture it runs Java on), in ms.
   */
  static OptionalLong parseCpuMillis(String stat) {
    // The command (field 2) is in parentheses and may hold spaces: count from the last ')'.
    int end = stat.lastIndexOf(')');
    if (end < 0) {
      return OptionalLong.empty();
    }
    String[] fields = stat.substring(end + 1).trim().split("\\s+");
    // fields[0] is field 3 (state): utime is field 14, stime field 15.
    if (fields.length < 13) {
      return OptionalLong.empty();
    }
    try {
      return OptionalLong.of((Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 10);
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
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
