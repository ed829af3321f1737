package io.meshorch.sandbox.core;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How long each external step of the sandbox takes ({@link SandboxStep}), per cluster if need be.
 * Immutable and thread-safe.
 *
 * <p>A value is found in this order: an override for {@code <meshId>/<cluster>}, for {@code
 * <meshId>/*} (every cluster of that mesh), for {@code <cluster>} (that cluster name in any mesh),
 * an override without target, and last the profile's value times the scale.
 *
 * <p>The compact form (a command line's) is a comma-separated list of tokens:
 *
 * <ul>
 *   <li>{@code fast} or {@code realistic}: the profile. A spec naming a profile starts afresh from
 *       it (scale 1, no overrides); a spec without one changes the latencies it is applied to.
 *   <li>{@code scale=<factor>}: multiplies the profile's values ({@code 0.01} is 1/100); overrides
 *       given as durations are not scaled.
 *   <li>{@code <step>[@<target>]=<value>}: an override. {@code <target>} is {@code <cluster>},
 *       {@code <meshId>/<cluster>} or {@code <meshId>/*}; {@code <value>} a duration ({@code 0},
 *       {@code 250ms}, {@code 1.5s}, {@code 2m}, {@code 1h}, or ISO-8601 {@code PT2M}) or a factor
 *       {@code x<n>} of the step's scaled profile value ({@code rke-up@slow=x10}).
 * </ul>
 *
 * <p>Example: {@code realistic,scale=0.02,rke-up@west=60s}.
 */
public final class SandboxLatencies {
  private static final Pattern DURATION =
      Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)", Pattern.CASE_INSENSITIVE);
  private static final Pattern OVERRIDE = Pattern.compile("([a-z-]+)(?:@([^=]*))?=(.*)");
  private static final String GRAMMAR =
      "fast, realistic, scale=<factor> or <step>[@<cluster>|@<meshId>/<cluster>|@<meshId>/*]"
          + "=<duration>|x<factor>";

  /** A named set of step durations. */
  public enum Profile {
    /** The sandbox's timing before latencies existed: everything within a second. */
    FAST,
    /** A real cloud's timing (see each {@link SandboxStep}), usually scaled down. */
    REALISTIC;

    /** The profile's value for {@code step}, unscaled. */
    public Duration value(SandboxStep step) {
      return this == FAST ? step.fast() : step.realistic();
    }

    /** The name used in specs. */
    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * Which clusters an override applies to.
   *
   * @param meshId the mesh, or null for a cluster name in any mesh
   * @param cluster the cluster name, or {@code *} for every cluster of {@code meshId}
   */
  private record Target(String meshId, String cluster) {
    @Override
    public String toString() {
      return meshId == null ? cluster : meshId + "/" + cluster;
    }
  }

  private record Key(SandboxStep step, Target target) {
    @Override
    public String toString() {
      return target == null ? step.id() : step.id() + "@" + target;
    }
  }

  /** An override: a fixed duration, or a factor of the scaled profile value. */
  private record Value(Duration fixed, double factor) {
    @Override
    public String toString() {
      return fixed != null ? format(fixed) : "x" + number(factor);
    }
  }

  private static final SandboxLatencies FAST = new SandboxLatencies(Profile.FAST, 1.0, Map.of());
  private static final SandboxLatencies REALISTIC =
      new SandboxLatencies(Profile.REALISTIC, 1.0, Map.of());

  private final Profile profile;
  private final double scale;
  private final Map<Key, Value> overrides;

  private SandboxLatencies(Profile profile, double scale, Map<Key, Value> overrides) {
    this.profile = profile;
    this.scale = scale;
    this.overrides = Collections.unmodifiableMap(new LinkedHashMap<>(overrides));
  }

  /** The {@code fast} profile, unscaled, no overrides: the sandbox's default. */
  public static SandboxLatencies fast() {
    return FAST;
  }

  /** The {@code realistic} profile, unscaled, no overrides. */
  public static SandboxLatencies realistic() {
    return REALISTIC;
  }

  /**
   * Parses a compact spec on top of {@link #fast()}.
   *
   * @throws IllegalArgumentException naming the first bad token
   */
  public static SandboxLatencies parse(String spec) {
    return FAST.with(spec);
  }

  /**
   * Applies several specs in order on top of {@link #fast()}, as repeated command-line options.
   *
   * @throws IllegalArgumentException naming the first bad token
   */
  public static SandboxLatencies parse(List<String> specs) {
    SandboxLatencies out = FAST;
    for (String spec : specs) {
      out = out.with(spec);
    }
    return out;
  }

  /**
   * These latencies changed by {@code spec} (see the class comment); a spec that names a profile
   * replaces them altogether.
   *
   * @throws IllegalArgumentException naming the first bad token
   */
  public SandboxLatencies with(String spec) {
    Objects.requireNonNull(spec, "spec");
    Profile newProfile = null;
    Double newScale = null;
    Map<Key, Value> newOverrides = new LinkedHashMap<>();
    for (String raw : spec.split(",")) {
      String token = raw.strip();
      if (token.isEmpty()) {
        continue;
      }
      String lower = token.toLowerCase(Locale.ROOT);
      if (lower.equals("fast") || lower.equals("realistic")) {
        if (newProfile != null) {
          throw bad(token, "a second profile in one spec");
        }
        newProfile = Profile.valueOf(lower.toUpperCase(Locale.ROOT));
      } else if (lower.startsWith("scale=")) {
        newScale = scale(token, token.substring("scale=".length()));
      } else {
        Matcher m = OVERRIDE.matcher(token);
        if (!m.matches()) {
          throw bad(token, "not a profile, a scale or <step>=<value>");
        }
        SandboxStep step =
            SandboxStep.byId(m.group(1))
                .orElseThrow(
                    () ->
                        bad(
                            token,
                            "unknown step '" + m.group(1) + "'; steps: " + SandboxStep.ids()));
        Target target = m.group(2) == null ? null : target(token, m.group(2));
        newOverrides.remove(new Key(step, target));
        newOverrides.put(new Key(step, target), value(token, m.group(3)));
      }
    }
    Profile p = newProfile != null ? newProfile : profile;
    double s = newScale != null ? newScale : newProfile != null ? 1.0 : scale;
    Map<Key, Value> o = new LinkedHashMap<>(newProfile != null ? Map.of() : overrides);
    newOverrides.forEach(
        (k, v) -> {
          o.remove(k);
          o.put(k, v);
        });
    return new SandboxLatencies(p, s, o);
  }

  /** These latencies with {@code step} taking {@code duration} on every cluster. */
  public SandboxLatencies with(SandboxStep step, Duration duration) {
    return withOverride(new Key(step, null), duration);
  }

  /**
   * These latencies with {@code step} taking {@code duration} on the clusters of {@code target}
   * ({@code <cluster>}, {@code <meshId>/<cluster>} or {@code <meshId>/*}).
   */
  public SandboxLatencies with(SandboxStep step, String target, Duration duration) {
    return withOverride(new Key(step, target(step.id() + "@" + target, target)), duration);
  }

  private SandboxLatencies withOverride(Key key, Duration duration) {
    if (duration.isNegative()) {
      throw new IllegalArgumentException(key + ": negative duration " + duration);
    }
    Map<Key, Value> o = new LinkedHashMap<>(overrides);
    o.remove(key);
    o.put(key, new Value(duration, 0));
    return new SandboxLatencies(profile, scale, o);
  }

  /** How long {@code step} takes on {@code cluster} (null: a cluster nobody targets). */
  public Duration of(SandboxStep step, ClusterRef cluster) {
    Value v = null;
    if (cluster != null) {
      if (cluster.meshId() != null) {
        v = overrides.get(new Key(step, new Target(cluster.meshId(), cluster.cluster())));
        if (v == null) {
          v = overrides.get(new Key(step, new Target(cluster.meshId(), "*")));
        }
      }
      if (v == null) {
        v = overrides.get(new Key(step, new Target(null, cluster.cluster())));
      }
    }
    if (v == null) {
      v = overrides.get(new Key(step, null));
    }
    Duration scaled = scaled(step);
    if (v == null) {
      return scaled;
    }
    return v.fixed() != null ? v.fixed() : multiply(scaled, v.factor());
  }

  /** How long {@code step} takes on a cluster that no override targets. */
  public Duration of(SandboxStep step) {
    return of(step, null);
  }

  /** The profile the values come from. */
  public Profile profile() {
    return profile;
  }

  /** The factor applied to the profile's values. */
  public double scale() {
    return scale;
  }

  /**
   * The compact form that {@link #parse(String)} reads back into equal latencies, e.g. {@code
   * realistic,scale=0.02,rke-up@west=60s}.
   */
  public String toSpec() {
    List<String> tokens = new ArrayList<>();
    tokens.add(profile.id());
    if (scale != 1.0) {
      tokens.add("scale=" + number(scale));
    }
    overrides.forEach((k, v) -> tokens.add(k + "=" + v));
    return String.join(",", tokens);
  }

  /** Every step's value on an untargeted cluster, then the targeted overrides, for logs. */
  public String describe() {
    List<String> parts = new ArrayList<>();
    for (SandboxStep step : SandboxStep.values()) {
      parts.add(step.id() + "=" + format(of(step)));
    }
    StringBuilder out = new StringBuilder(profile.id());
    if (scale != 1.0) {
      out.append(" x").append(number(scale));
    }
    out.append(": ").append(String.join(", ", parts));
    List<String> targeted = new ArrayList<>();
    overrides.forEach(
        (k, v) -> {
          if (k.target() != null) {
            targeted.add(k + "=" + v);
          }
        });
    if (!targeted.isEmpty()) {
      out.append("; ").append(String.join(", ", targeted));
    }
    return out.toString();
  }

  @Override
  public String toString() {
    return toSpec();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SandboxLatencies l
        && profile == l.profile
        && Double.compare(scale, l.scale) == 0
        && overrides.equals(l.overrides);
  }

  @Override
  public int hashCode() {
    return Objects.hash(profile, scale, overrides);
  }

  private Duration scaled(SandboxStep step) {
    return multiply(profile.value(step), scale);
  }

  private static Duration multiply(Duration d, double factor) {
    return Duration.ofMillis(Math.round(d.toMillis() * factor));
  }

  private static double scale(String token, String text) {
    double value;
    try {
      value = Double.parseDouble(text);
    } catch (NumberFormatException e) {
      throw bad(token, "scale '" + text + "' is not a number");
    }
    if (!(value > 0) || Double.isInfinite(value)) {
      throw bad(token, "scale must be a positive number");
    }
    return value;
  }

  private static Target target(String token, String text) {
    if (text.isBlank()) {
      throw bad(token, "empty target after '@'");
    }
    int slash = text.indexOf('/');
    if (slash < 0) {
      if (text.equals("*")) {
        throw bad(token, "'*' needs a mesh: @<meshId>/*");
      }
      return new Target(null, text);
    }
    String meshId = text.substring(0, slash);
    String cluster = text.substring(slash + 1);
    if (meshId.isBlank() || cluster.isBlank() || cluster.contains("/")) {
      throw bad(token, "target '" + text + "' is not <cluster>, <meshId>/<cluster> or <meshId>/*");
    }
    return new Target(meshId, cluster);
  }

  private static Value value(String token, String text) {
    if (text.startsWith("x") || text.startsWith("X")) {
      return new Value(null, scale(token, text.substring(1)));
    }
    return new Value(duration(token, text), 0);
  }

  private static Duration duration(String token, String text) {
    if (text.equals("0")) {
      return Duration.ZERO;
    }
    if (text.toUpperCase(Locale.ROOT).startsWith("P")) {
      try {
        Duration d = Duration.parse(text);
        if (d.isNegative()) {
          throw bad(token, "negative duration '" + text + "'");
        }
        return d;
      } catch (DateTimeParseException e) {
        throw bad(token, "'" + text + "' is not a duration");
      }
    }
    Matcher m = DURATION.matcher(text);
    if (!m.matches()) {
      throw bad(
          token, "'" + text + "' is not a duration (0, 250ms, 1.5s, 2m, 1h, PT2M) or x<factor>");
    }
    BigDecimal amount = new BigDecimal(m.group(1));
    long millisPerUnit =
        switch (m.group(2).toLowerCase(Locale.ROOT)) {
          case "ms" -> 1;
          case "s" -> 1_000;
          case "m" -> 60_000;
          default -> 3_600_000;
        };
    return Duration.ofMillis(amount.multiply(BigDecimal.valueOf(millisPerUnit)).longValue());
  }

  private static IllegalArgumentException bad(String token, String reason) {
    return new IllegalArgumentException(
        "sandbox latency token '" + token + "': " + reason + " (expected " + GRAMMAR + ")");
  }

  /** {@code 0}, {@code 250ms}, {@code 1.5s}: short and exact to the millisecond. */
  static String format(Duration d) {
    long ms = d.toMillis();
    if (ms == 0) {
      return "0";
    }
    if (ms < 1000) {
      return ms + "ms";
    }
    return BigDecimal.valueOf(ms).movePointLeft(3).stripTrailingZeros().toPlainString() + "s";
  }

  private static String number(double value) {
    return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
  }
}
