package io.meshorch.sandbox.kube;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Server-side apply as the Kubernetes API server does it (a faithful-enough subset of
 * structured-merge-diff), on objects as JSON maps. Pure: no I/O, no clock.
 *
 * <ul>
 *   <li>The applied configuration is merged into the live object: maps per key, associative lists
 *       per item key, sets per element, everything else replaced (see {@link FieldPaths} for the
 *       schema modelled).
 *   <li>A field the applied configuration changes that another manager owns is a conflict; with
 *       {@code force} the applier takes it over, the other manager loses it.
 *   <li>A field this manager applied before, omits now, and no other manager owns is removed.
 *   <li>The applier's {@code Apply} entry holds exactly the fields of its applied configuration.
 * </ul>
 */
final class ServerSideApply {
  private ServerSideApply() {}

  /** What an apply comes to. */
  sealed interface Outcome {}

  /** The object to store, {@code metadata.managedFields} included. */
  record Applied(Map<String, Object> object) implements Outcome {}

  /** Refused: fields other managers own would change. */
  record Conflicts(List<Conflict> conflicts) implements Outcome {
    /** Kubernetes' words: {@code Apply failed with 1 conflict: conflict with "m" using v1: .x}. */
    String message() {
      int n = conflicts.size();
      String head = "Apply failed with " + n + " conflict" + (n == 1 ? "" : "s") + ": ";
      if (n == 1) {
        Conflict c = conflicts.get(0);
        return head + c.owner() + ": " + FieldPaths.describe(c.path());
      }
      Map<String, List<String>> byOwner = new LinkedHashMap<>();
      for (Conflict c : conflicts) {
        byOwner
            .computeIfAbsent(
                c.owner().replaceFirst("^conflict ", "conflicts "), k -> new ArrayList<>())
            .add("- " + FieldPaths.describe(c.path()));
      }
      List<String> lines = new ArrayList<>();
      byOwner.forEach(
          (owner, paths) -> {
            lines.add(owner + ":");
            lines.addAll(paths);
          });
      return head + String.join("\n", lines);
    }

    /** The 409 {@code Status} body the API server answers. */
    String status() {
      List<Map<String, Object>> causes = new ArrayList<>();
      for (Conflict c : conflicts) {
        Map<String, Object> cause = new LinkedHashMap<>();
        cause.put("reason", "FieldManagerConflict");
        cause.put("message", c.owner());
        cause.put("field", FieldPaths.describe(c.path()));
        causes.add(cause);
      }
      Map<String, Object> status = new LinkedHashMap<>();
      status.put("kind", "Status");
      status.put("apiVersion", "v1");
      status.put("metadata", Map.of());
      status.put("status", "Failure");
      status.put("message", message());
      status.put("reason", "Conflict");
      status.put("details", Map.of("causes", causes));
      status.put("code", 409);
      return FieldPaths.json(status);
    }
  }

  /**
   * One conflicting field.
   *
   * @param manager the manager that owns it
   * @param apiVersion the API version that manager wrote it in
   * @param path the field
   */
  record Conflict(String manager, String apiVersion, List<String> path) {
    String owner() {
      return "conflict with \""
          + manager
          + "\""
          + (apiVersion.isEmpty() ? "" : " using " + apiVersion);
    }
  }

  /**
   * Applies {@code applied} as {@code manager}.
   *
   * @param live the stored object, null when there is none
   * @param applied the applied configuration (without server-owned metadata; without status when
   *     status is a subresource, or only status when applying to it)
   * @param subresource {@code status} when applying to the status subresource, else empty
   * @param now the time for the applier's entry
   */
  static Outcome apply(
      Map<String, Object> live,
      Map<String, Object> applied,
      String manager,
      String subresource,
      boolean force,
      String now) {
    String kind = String.valueOf(applied.get("kind"));
    Set<List<String>> appliedFields = FieldPaths.fieldsOf(applied);
    List<ManagedFields.Entry> entries = ManagedFields.of(live);
    Map<String, Object> base = live == null ? FieldPaths.map() : FieldPaths.copy(live);
    @SuppressWarnings("unchecked")
    Map<String, Object> merged =
        (Map<String, Object>) merge(kind, List.of(), base, FieldPaths.copy(applied));

    Set<List<String>> changed = new LinkedHashSet<>();
    if (live != null) {
      Map<List<String>, Object> liveValues = FieldPaths.valuesOf(live);
      Map<List<String>, Object> mergedValues = FieldPaths.valuesOf(merged);
      for (List<String> path : appliedFields) {
        Object was = FieldPaths.valueAt(liveValues, live, path);
        if (!FieldPaths.isItem(path)
            && was != FieldPaths.MISSING
            && !Objects.equals(was, FieldPaths.valueAt(mergedValues, merged, path))) {
          changed.add(path);
        }
      }
    }
    List<Conflict> conflicts = new ArrayList<>();
    ManagedFields.Entry previous = null;
    for (ManagedFields.Entry e : entries) {
      if (e.is(manager, ManagedFields.APPLY, subresource)) {
        previous = e;
        continue;
      }
      for (List<String> path : changed) {
        if (e.fields().contains(path)) {
          conflicts.add(new Conflict(e.manager(), e.apiVersion(), path));
        }
      }
    }
    if (!conflicts.isEmpty() && !force) {
      return new Conflicts(conflicts);
    }

    ManagedFields.Entry self =
        new ManagedFields.Entry(
            manager,
            ManagedFields.APPLY,
            ManagedFields.apiVersion(applied),
            now,
            subresource,
            appliedFields);
    List<ManagedFields.Entry> next = new ArrayList<>();
    Set<List<String>> othersOwn = new LinkedHashSet<>();
    for (ManagedFields.Entry e : entries) {
      if (e == previous) {
        next.add(self);
        continue;
      }
      Set<List<String>> fields = new LinkedHashSet<>(e.fields());
      fields.removeAll(changed); // forced: the applier took them over
      othersOwn.addAll(fields);
      next.add(e.withFields(fields));
    }
    if (previous == null) {
      next.add(self);
    } else {
      removeDropped(merged, previous.fields(), appliedFields, othersOwn);
    }

    Map<List<String>, Object> values = FieldPaths.valuesOf(merged);
    List<ManagedFields.Entry> kept = new ArrayList<>();
    for (ManagedFields.Entry e : next) {
      Set<List<String>> fields = new LinkedHashSet<>(e.fields());
      fields.removeIf(p -> FieldPaths.valueAt(values, merged, p) == FieldPaths.MISSING);
      if (!fields.isEmpty() || e == self) {
        kept.add(e.withFields(fields));
      }
    }
    ManagedFields.write(merged, kept);
    return new Applied(merged);
  }

  /**
   * Removes what the applier owned before, no longer applies and nobody else owns; an item stays
   * while fields below it are owned, and the key fields of an item go only with the item.
   */
  private static void removeDropped(
      Map<String, Object> merged,
      Set<List<String>> before,
      Set<List<String>> now,
      Set<List<String>> othersOwn) {
    Set<List<String>> kept = new LinkedHashSet<>(now);
    kept.addAll(othersOwn);
    List<List<String>> dropped = new ArrayList<>();
    for (List<String> path : before) {
      if (!kept.contains(path)) {
        dropped.add(path);
      }
    }
    dropped.sort(Comparator.comparingInt((List<String> p) -> p.size()).reversed());
    for (List<String> path : dropped) {
      if (isKeyField(path) || kept.stream().anyMatch(k -> FieldPaths.under(k, path))) {
        continue;
      }
      FieldPaths.remove(merged, path);
    }
  }

  private static boolean isKeyField(List<String> path) {
    if (path.size() < 2 || !path.get(path.size() - 2).startsWith("k:")) {
      return false;
    }
    Object key = FieldPaths.parse(path.get(path.size() - 2).substring(2));
    return key instanceof Map<?, ?> k && k.containsKey(path.get(path.size() - 1).substring(2));
  }

  /** {@code applied} merged into {@code live} at field names {@code names}. */
  @SuppressWarnings("unchecked")
  static Object merge(String kind, List<String> names, Object live, Object applied) {
    if (applied instanceof Map<?, ?> a
        && live instanceof Map<?, ?> l
        && (names.isEmpty() || !FieldPaths.atomicMap(kind, names))) {
      Map<String, Object> out = new LinkedHashMap<>((Map<String, Object>) l);
      a.forEach(
          (k, v) ->
              out.put((String) k, merge(kind, FieldPaths.plus(names, (String) k), out.get(k), v)));
      return out;
    }
    if (applied instanceof List<?> a && live instanceof List<?> l && !names.isEmpty()) {
      FieldPaths.ListType type = FieldPaths.listType(kind, names);
      if (type instanceof FieldPaths.AsSet) {
        List<Object> out = new ArrayList<>(l);
        a.stream().filter(v -> !out.contains(v)).forEach(out::add);
        return out;
      }
      if (type instanceof FieldPaths.Keyed keyed
          && a.stream().allMatch(i -> i instanceof Map)
          && l.stream().allMatch(i -> i instanceof Map)) {
        List<Object> out = new ArrayList<>(l);
        for (Object item : a) {
          Map<String, Object> key = FieldPaths.key(keyed, (Map<?, ?>) item);
          int at = -1;
          for (int i = 0; i < out.size() && at < 0; i++) {
            if (key.equals(FieldPaths.key(keyed, (Map<?, ?>) out.get(i)))) {
              at = i;
            }
          }
          if (at < 0) {
            out.add(item);
          } else {
            out.set(at, merge(kind, names, out.get(at), item));
          }
        }
        return out;
      }
    }
    return applied;
  }
}
