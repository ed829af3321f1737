package io.meshorch.contracts.validation;

import io.meshorch.contracts.Violation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects the violations of one request grouped by field pattern and rule, so that a request whose
 * 300 clusters all break the same rule yields one violation, not 300 (or 90,000 for pairs). A group
 * met once reads as a plain violation of the concrete field ({@code clusters[1].podCidr: must not
 * overlap clusters[0].podCidr …}); a group met more often becomes one violation of the pattern
 * ({@code clusters[*].podCidr}) with the count and the first {@value #EXAMPLES} occurrences. Memory
 * per group is bounded whatever the number of occurrences. Not thread-safe; one per validation.
 */
final class ViolationGroups {
  /** Occurrences named in an aggregated violation. */
  static final int EXAMPLES = 3;

  private record Key(String pattern, String rule) {}

  private static final class Group {
    final String pattern;
    final String rule;
    final String noun;
    Violation single;
    final List<String> examples = new ArrayList<>(EXAMPLES);
    int count;

    Group(String pattern, String rule, String noun) {
      this.pattern = pattern;
      this.rule = rule;
      this.noun = noun;
    }
  }

  private final Map<Key, Group> groups = new LinkedHashMap<>();

  /**
   * Records one occurrence.
   *
   * @param pattern the field with indexes replaced by {@code *}, e.g. {@code clusters[*].name}
   * @param rule the rule in general words, e.g. {@code must be unique in the mesh}
   * @param noun what is counted when aggregated, plural, e.g. {@code duplicates}
   * @param single the violation as shown when this is the only occurrence of the group
   * @param example the occurrence in a few words for the aggregated form, naming the field
   */
  void add(String pattern, String rule, String noun, Violation single, String example) {
    Group group =
        groups.computeIfAbsent(new Key(pattern, rule), k -> new Group(pattern, rule, noun));
    group.count++;
    if (group.count == 1) {
      group.single = single;
    }
    if (group.examples.size() < EXAMPLES) {
      group.examples.add(example);
    }
  }

  /** A violation of a field without an index (e.g. {@code meshId}): its own group. */
  void add(Violation violation) {
    add(violation.field(), violation.rule(), "occurrences", violation, violation.field());
  }

  boolean isEmpty() {
    return groups.isEmpty();
  }

  /** One violation per group, in the order the groups were first met. */
  List<Violation> toList() {
    List<Violation> out = new ArrayList<>(groups.size());
    for (Group g : groups.values()) {
      if (g.count == 1) {
        out.add(g.single);
      } else {
        String listed = String.join("; ", g.examples);
        out.add(
            new Violation(
                g.pattern,
                g.rule
                    + ": "
                    + g.count
                    + " "
                    + g.noun
                    + (g.count > g.examples.size() ? ", e.g. " : ": ")
                    + listed));
      }
    }
    return out;
  }
}
