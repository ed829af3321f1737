package io.meshorch.sandbox.openstack;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/** OpenStack's time formats. */
final class Clock {
  private static final DateTimeFormatter SECONDS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter MICROS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

  private Clock() {}

  /** {@code 2026-11-25T00:07:50Z}, as Heat, Neutron and Nova write times. */
  static String iso(Instant t) {
    return t == null ? null : SECONDS.format(t.truncatedTo(ChronoUnit.SECONDS));
  }

  /** {@code 2026-11-25T04:07:08.000000Z}, as Keystone writes token times. */
  static String keystone(Instant t) {
    return MICROS.format(t.truncatedTo(ChronoUnit.SECONDS));
  }
}
