package io.meshorch.sandbox.kube;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * An object's {@code metadata.managedFields}: which manager owns which fields, and how an update
 * (anything but an apply: create, replace, JSON or merge patch, status writes) moves ownership, as
 * the Kubernetes API server records it. The updater takes every field it added or changed, from
 * whoever owned it (updates never conflict); a field that is gone is owned by nobody.
 */
final class ManagedFields {
  static final String APPLY = "Apply";
  static final String UPDATE = "Update";

  private ManagedFields() {}

  /**
   * One manager's fields.
   *
   * @param manager the field manager
   * @param operation {@value #APPLY} or {@value #UPDATE}
   * @param apiVersion the API version its last change was written in
   * @param time when its fields last changed (RFC 3339, seconds)
   * @param subresource {@code status} for writes to the status subresource, else empty
   * @param fields the member paths it owns, see {@link FieldPaths}
   * @param fieldsV1 {@code fields} as a {@code fieldsV1} tree, when known (read from a stored
   *     object, or printed once); never changed
   */
  record Entry(
      String manager,
      String operation,
      String apiVersion,
      String time,
      String subresource,
      Set<List<String>> fields,
      Map<String, Object> fieldsV1) {

    Entry(
        String manager,
        String operation,
        String apiVersion,
        String time,
        String subresource,
        Set<List<String>> fields) {
      this(manager, operation, apiVersion, time, subresource, fields, null);
    }

    boolean is(String manager, String operation, String subresource) {
      return this.manager.equals(manager)
          && this.operation.equals(operation)
          && this.subresource.equals(subresource);
    }

    /** This entry with {@code fields} (itself when they are its own: its tree stays known). */
    Entry withFields(Set<List<String>> fields) {
      return fields.equals(this.fields)
          ? this
          : new Entry(manager, operation, apiVersion, time, subresource, fields);
    }

    Map<String, Object> toJson() {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("manager", manager);
      json.put("operation", operation);
      json.put("apiVersion", apiVersion);
      json.put("time", time);
      json.put("fieldsType", "FieldsV1");
      json.put("fieldsV1", fieldsV1 != null ? fieldsV1 : FieldPaths.toFieldsV1(fields));
      if (!subresource.isEmpty()) {
        json.put("subresource", subresource);
      }
      return json;
    }
  }

  /** The entries of {@code object} (none when it has none or is null). */
  static List<Entry> of(Map<String, Object> object) {
    List<Entry> out = new ArrayList<>();
    if (object == null
        || !(object.get("metadata") instanceof Map<?, ?> metadata)
        || !(metadata.get("managedFields") instanceof List<?> list)) {
      return out;
    }
    for (Object item : list) {
      if (item instanceof Map<?, ?> e && e.get("manager") != null) {
        out.add(
            new Entry(
                String.valueOf(e.get("manager")),
                Objects.toString(e.get("operation"), UPDATE),
                Objects.toString(e.get("apiVersion"), ""),
                Objects.toString(e.get("time"), ""),
                Objects.toString(e.get("subresource"), ""),
                FieldPaths.fromFieldsV1(e.get("fieldsV1")),
                e.get("fieldsV1") instanceof Map<?, ?> tree ? castTree(tree) : null));
      }
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> castTree(Map<?, ?> tree) {
    return (Map<String, Object>) tree;
  }

  /** Writes {@code entries} into {@code object}'s metadata (removes the field when none). */
  @SuppressWarnings("unchecked")
  static void write(Map<String, Object> object, List<Entry> entries) {
    Map<String, Object> metadata =
        (Map<String, Object>) object.computeIfAbsent("metadata", k -> FieldPaths.map());
    if (entries.isEmpty()) {
      metadata.remove("managedFields");
    } else {
      metadata.put("managedFields", entries.stream().map(Entry::toJson).toList());
    }
  }

  /**
   * The entries after an update by {@code manager} turned {@code before} (null: a creation) into
   * {@code after}.
   */
  static List<Entry> afterUpdate(
      List<Entry> entries,
      Map<String, Object> before,
      Map<String, Object> after,
      String manager,
      String subresource,
      String now) {
    return afterUpdate(
        entries,
        before == null ? Map.of() : FieldPaths.valuesOf(before),
        after,
        FieldPaths.valuesOf(after),
        manager,
        subresource,
        now);
  }

  /**
   * {@link #afterUpdate(List, Map, Map, String, String, String)} given the objects' {@link
   * FieldPaths#valuesOf} ({@code was} of the object before, empty for a creation; {@code is} of
   * {@code after}): an API server that keeps them with the stored version walks each version once.
   */
  static List<Entry> afterUpdate(
      List<Entry> entries,
      Map<List<String>, Object> was,
      Map<String, Object> after,
      Map<List<String>, Object> is,
      String manager,
      String subresource,
      String now) {
    Set<List<String>> changed = new LinkedHashSet<>();
    is.forEach(
        (path, value) -> {
          if (!was.containsKey(path)
              || (!FieldPaths.isItem(path) && !Objects.equals(was.get(path), value))) {
            changed.add(path);
          }
        });
    Set<List<String>> gone = new LinkedHashSet<>(was.keySet());
    gone.removeAll(is.keySet());
    List<Entry> out = new ArrayList<>();
    boolean found = false;
    for (Entry e : entries) {
      Set<List<String>> fields = new LinkedHashSet<>(e.fields());
      fields.removeAll(gone);
      boolean updater = e.is(manager, UPDATE, subresource);
      if (updater) {
        found = true;
        fields.addAll(changed);
      } else {
        fields.removeAll(changed);
      }
      fields.removeIf(p -> FieldPaths.valueAt(is, after, p) == FieldPaths.MISSING);
      if (fields.isEmpty()) {
        continue;
      }
      out.add(
          updater && !changed.isEmpty()
              ? new Entry(manager, UPDATE, apiVersion(after), now, subresource, fields)
              : e.withFields(fields));
    }
    if (!found && !changed.isEmpty()) {
      out.add(new Entry(manager, UPDATE, apiVersion(after), now, subresource, changed));
    }
    return out;
  }

  static String apiVersion(Map<String, Object> object) {
    return Objects.toString(object.get("apiVersion"), "");
  }

  /**
   * Whether {@code a} and {@code b} are the same object but for what a no-op write may touch: the
   * resource version and the times of the managers' entries.
   */
  static boolean sameContent(Map<String, Object> a, Map<String, Object> b) {
    return withoutVolatile(a).equals(withoutVolatile(b));
  }

  /**
   * {@code object} without what {@link #sameContent} ignores: copies of the top level, the metadata
   * and the managers' entries only, the rest shared (compared, never changed).
   */
  private static Map<String, Object> withoutVolatile(Map<String, Object> object) {
    if (!(object.get("metadata") instanceof Map<?, ?> metadata)) {
      return object;
    }
    Map<Object, Object> m = new LinkedHashMap<>(metadata);
    m.remove("resourceVersion");
    // fabric8's store writes "namespace": null into cluster-scoped objects on update, where
    // the stored object has none: the same content to a real API server.
    if (m.get("namespace") == null) {
      m.remove("namespace");
    }
    if (m.get("managedFields") instanceof List<?> list) {
      List<Object> entries = new ArrayList<>(list.size());
      for (Object e : list) {
        if (e instanceof Map<?, ?> entry) {
          Map<Object, Object> timeless = new LinkedHashMap<>(entry);
          timeless.remove("time");
          entries.add(timeless);
        } else {
          entries.add(e);
        }
      }
      m.put("managedFields", entries);
    }
    Map<String, Object> top = new LinkedHashMap<>(object);
    top.put("metadata", m);
    return top;
  }
}
