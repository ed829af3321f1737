package io.meshorch.meshctl.cli;

import io.meshorch.sandbox.openstack.SandboxCloud;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code --sandbox-rate-limit}: how fast the sandbox cloud lets the project call its APIs. */
public final class SandboxRateLimitOption {
  @Option(
      names = "--sandbox-rate-limit",
      paramLabel = "SPEC",
      description = {
        "Rate limits of the sandbox cloud's APIs, as a cloud's front end or an API's rate-limit"
            + " middleware sets them (default: none). Comma-separated tokens, or the option"
            + " repeated: '<requests/s>[/<burst>]' for the project's requests to every service"
            + " together, '<service>=<requests/s>[/<burst>]' for one service (identity,"
            + " orchestration, network, compute). The burst defaults to one second's requests."
            + " A request over a limit is answered 429 with Retry-After, which infra-service"
            + " waits out; mesh.openstack.rate-limit or clouds.yaml's rate_limit keep under it.",
        "Example: --sandbox-rate-limit 20/10,network=5"
      })
  List<String> specs = new ArrayList<>();

  @Spec(Spec.Target.MIXEE)
  CommandSpec spec;

  /** One limit: {@code service} null for the project's requests to every service together. */
  public record Limit(String service, double requestsPerSecond, int burst) {
    @Override
    public String toString() {
      return (service == null ? "every service" : service)
          + " "
          + requestsPerSecond
          + " requests/s in bursts of "
          + burst;
    }
  }

  /** True when the option was given. */
  public boolean given() {
    return !specs.isEmpty();
  }

  /**
   * The limits asked for.
   *
   * @throws ParameterException naming the first bad token and the rule
   */
  public List<Limit> limits() {
    try {
      return parse(specs);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--sandbox-rate-limit: " + e.getMessage());
    }
  }

  /** Puts the limits asked for on {@code cloud}. */
  public void applyTo(SandboxCloud cloud) {
    for (Limit limit : limits()) {
      if (limit.service() == null) {
        cloud.rateLimit(limit.requestsPerSecond(), limit.burst());
      } else {
        cloud.rateLimit(limit.service(), limit.requestsPerSecond(), limit.burst());
      }
    }
  }

  /**
   * The limits in {@code specs} (tokens, each possibly comma-separated).
   *
   * @throws IllegalArgumentException naming the first bad token and the rule
   */
  static List<Limit> parse(List<String> specs) {
    List<Limit> limits = new ArrayList<>();
    for (String spec : specs) {
      for (String raw : spec.split(",")) {
        String token = raw.strip();
        if (!token.isEmpty()) {
          limits.add(limit(token));
        }
      }
    }
    return limits;
  }

  private static Limit limit(String token) {
    String service = null;
    String rate = token;
    int eq = token.indexOf('=');
    if (eq >= 0) {
      service = token.substring(0, eq).strip();
      rate = token.substring(eq + 1).strip();
      if (!SandboxCloud.SERVICE_TYPES.contains(service)) {
        throw new IllegalArgumentException(
            "'"
                + token
                + "': the service must be one of "
                + String.join(", ", SandboxCloud.SERVICE_TYPES));
      }
    }
    String[] parts = rate.split("/", -1);
    double perSecond;
    int burst;
    try {
      perSecond = Double.parseDouble(parts[0]);
      burst = parts.length > 1 ? Integer.parseInt(parts[1]) : (int) Math.ceil(perSecond);
    } catch (NumberFormatException e) {
      perSecond = Double.NaN;
      burst = 0;
    }
    if (parts.length > 2
        || !(perSecond > 0)
        || Double.isInfinite(perSecond)
        || (parts.length > 1 && burst < 1)) {
      throw new IllegalArgumentException(
          "'"
              + token
              + "' is not [<service>=]<requests/s>[/<burst>] with requests/s above 0 and a burst"
              + " of at least 1 (e.g. 20/10 or network=5)");
    }
    return new Limit(service, perSecond, Math.max(1, burst));
  }
}
