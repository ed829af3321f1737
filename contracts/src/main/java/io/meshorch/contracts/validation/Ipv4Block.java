package io.meshorch.contracts.validation;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A contiguous block of IPv4 addresses, parsed from a CIDR ({@code 10.1.0.0/16}) or a MetalLB style
 * range ({@code 192.168.50.10-192.168.50.19}).
 *
 * @param first the first address, as an unsigned 32-bit value
 * @param last the last address, inclusive
 */
public record Ipv4Block(long first, long last) {
  private static final Pattern OCTETS =
      Pattern.compile(
          "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");

  /** Parses a dotted-quad IPv4 address; empty when it is not one. */
  public static Optional<Long> parseAddress(String text) {
    if (text == null || !OCTETS.matcher(text.trim()).matches()) {
      return Optional.empty();
    }
    long value = 0;
    for (String octet : text.trim().split("\\.")) {
      value = (value << 8) | Integer.parseInt(octet);
    }
    return Optional.of(value);
  }

  /** Parses {@code a.b.c.d/n}; empty unless the prefix is 0..32 and no host bit is set. */
  public static Optional<Ipv4Block> parseCidr(String text) {
    if (text == null) {
      return Optional.empty();
    }
    String[] parts = text.trim().split("/", -1);
    if (parts.length != 2 || !parts[1].matches("\\d{1,2}")) {
      return Optional.empty();
    }
    int prefix = Integer.parseInt(parts[1]);
    Optional<Long> address = parseAddress(parts[0]);
    if (prefix > 32 || address.isEmpty()) {
      return Optional.empty();
    }
    long size = 1L << (32 - prefix);
    if (address.get() % size != 0) {
      return Optional.empty();
    }
    return Optional.of(new Ipv4Block(address.get(), address.get() + size - 1));
  }

  /** Parses a CIDR or an {@code a-b} range with {@code a <= b}. */
  public static Optional<Ipv4Block> parsePool(String text) {
    if (text == null) {
      return Optional.empty();
    }
    if (text.contains("/")) {
      return parseCidr(text);
    }
    String[] ends = text.trim().split("-", -1);
    if (ends.length != 2) {
      return Optional.empty();
    }
    Optional<Long> from = parseAddress(ends[0]);
    Optional<Long> to = parseAddress(ends[1]);
    if (from.isEmpty() || to.isEmpty() || from.get() > to.get()) {
      return Optional.empty();
    }
    return Optional.of(new Ipv4Block(from.get(), to.get()));
  }

  /** True when the two blocks share at least one address. */
  public boolean overlaps(Ipv4Block other) {
    return first <= other.last && other.first <= last;
  }

  /** True when {@code address} lies inside this block. */
  public boolean contains(long address) {
    return first <= address && address <= last;
  }

  /** Number of addresses in the block. */
  public long size() {
    return last - first + 1;
  }

  /** Formats an unsigned 32-bit value as a dotted quad. */
  public static String format(long address) {
    return ((address >> 24) & 255)
        + "."
        + ((address >> 16) & 255)
        + "."
        + ((address >> 8) & 255)
        + "."
        + (address & 255);
  }
}
