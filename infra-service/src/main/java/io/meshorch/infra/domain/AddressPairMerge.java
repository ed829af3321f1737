package io.meshorch.infra.domain;

import io.meshorch.contracts.validation.Ipv4Block;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Decides how to let one more address through a port: Neutron replaces the whole list on update, so
 * the new list keeps every existing pair and adds the address once.
 */
public final class AddressPairMerge {
  /** Neutron's default {@code max_allowed_address_pair}. */
  public static final int NEUTRON_DEFAULT_LIMIT = 10;

  private AddressPairMerge() {}

  /** What to do with a port. */
  public sealed interface Decision {}

  /** The address is already allowed (as itself, as a /32, or inside an allowed CIDR). */
  public record AlreadyAllowed(AddressPair by) implements Decision {}

  /** Write {@code pairs} (existing ones first, in order, then the new one). */
  public record Replace(List<AddressPair> pairs) implements Decision {
    public Replace {
      pairs = List.copyOf(pairs);
    }
  }

  /** Adding the address would exceed the port's limit of pairs. */
  public record LimitReached(int limit, int existing) implements Decision {}

  /**
   * Decides for {@code address} given the port's {@code existing} pairs and the cloud's {@code
   * limit}.
   */
  public static Decision decide(List<AddressPair> existing, String address, int limit) {
    Optional<Long> ip = Ipv4Block.parseAddress(address);
    for (AddressPair pair : existing) {
      if (pair.ipAddress().equals(address) || covers(pair.ipAddress(), ip)) {
        return new AlreadyAllowed(pair);
      }
    }
    if (existing.size() + 1 > limit) {
      return new LimitReached(limit, existing.size());
    }
    List<AddressPair> pairs = new ArrayList<>(existing);
    pairs.add(AddressPair.of(address));
    return new Replace(pairs);
  }

  private static boolean covers(String allowed, Optional<Long> ip) {
    if (ip.isEmpty()) {
      return false;
    }
    if (!allowed.contains("/")) {
      return Ipv4Block.parseAddress(allowed).equals(ip);
    }
    return Ipv4Block.parseCidr(allowed).map(b -> b.contains(ip.get())).orElse(false);
  }
}
