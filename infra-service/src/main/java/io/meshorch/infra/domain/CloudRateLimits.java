package io.meshorch.infra.domain;

import io.meshorch.infra.domain.CloudCredentialsParser.InvalidCloudConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * The client-side rate limits of a clouds.yaml entry, openstacksdk's {@code rate_limit}: calls per
 * second to each OpenStack service, each service on its own (openstacksdk gives every service's
 * adapter its own limit). Either one number for every service, or a mapping of service type ({@code
 * compute}, {@code network}, {@code orchestration}, …) to calls per second; a service left out of
 * the mapping is not limited. 0 means no limit, as in keystoneauth. Keystone's authentication is
 * not limited by it, as in openstacksdk.
 *
 * @param everyService calls per second to each service, or null when not one number
 * @param byServiceType calls per second by service type (empty when one number, or none)
 */
public record CloudRateLimits(Double everyService, Map<String, Double> byServiceType) {

  /** No client-side limit: the cloud is called as fast as the steps call it. */
  public static final CloudRateLimits NONE = new CloudRateLimits(null, Map.of());

  /** Copies the mapping. */
  public CloudRateLimits {
    byServiceType = Map.copyOf(byServiceType);
  }

  /** Calls per second to {@code serviceType}; empty when that service is not limited. */
  public OptionalDouble of(String serviceType) {
    Double limit = everyService != null ? everyService : byServiceType.get(serviceType);
    return limit == null || limit == 0 ? OptionalDouble.empty() : OptionalDouble.of(limit);
  }

  /**
   * The limits in a clouds.yaml {@code rate_limit} value.
   *
   * @param value the value as YAML read it (null when the key is absent)
   * @param at the key's full name, for messages, e.g. {@code clouds.yaml:
   *     clouds.mycloud.rate_limit}
   * @throws InvalidCloudConfig naming the key and the rule when a value is not a number of calls
   *     per second
   */
  static CloudRateLimits parse(Object value, String at) {
    if (value == null) {
      return NONE;
    }
    if (value instanceof Map<?, ?> byType) {
      Map<String, Double> limits = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : byType.entrySet()) {
        String type = String.valueOf(e.getKey());
        limits.put(type, callsPerSecond(e.getValue(), at + "." + type));
      }
      return new CloudRateLimits(null, limits);
    }
    return new CloudRateLimits(callsPerSecond(value, at), Map.of());
  }

  private static double callsPerSecond(Object value, String at) {
    double rate;
    if (value instanceof Number n) {
      rate = n.doubleValue();
    } else {
      try {
        rate = value == null ? Double.NaN : Double.parseDouble(value.toString().trim());
      } catch (NumberFormatException e) {
        rate = Double.NaN;
      }
    }
    if (!(rate >= 0) || Double.isInfinite(rate)) {
      throw new InvalidCloudConfig(
          at
              + " must be a number of calls per second, 0 or more (0: no limit), or under"
              + " rate_limit a mapping of service type to such a number; found '"
              + value
              + "'");
    }
    return rate;
  }

  @Override
  public String toString() {
    if (everyService != null) {
      return everyService + " calls/s to each service";
    }
    return byServiceType.isEmpty() ? "none" : byServiceType + " calls/s";
  }
}
