package io.meshorch.kit.pacing;

import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.OptionalLong;

/** Reads an HTTP {@code Retry-After} header: delay-seconds or an HTTP-date (RFC 9110 §10.2.3). */
public final class RetryAfter {
  private RetryAfter() {}

  /**
   * The delay the header asks for, in milliseconds, at {@code nowMillis}; empty when absent or
   * unreadable. A date in the past is a delay of 0.
   */
  public static OptionalLong millis(String header, long nowMillis) {
    if (header == null || header.isBlank()) {
      return OptionalLong.empty();
    }
    String value = header.strip();
    if (value.chars().allMatch(Character::isDigit)) {
      try {
        return OptionalLong.of(Math.multiplyExact(Long.parseLong(value), 1000L));
      } catch (ArithmeticException | NumberFormatException e) {
        return OptionalLong.empty();
      }
    }
    try {
      long at =
          ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME)
              .toInstant()
              .toEpochMilli();
      return OptionalLong.of(Math.max(0, at - nowMillis));
    } catch (DateTimeParseException e) {
      return OptionalLong.empty();
    }
  }
}
