package io.meshorch.sandbox.kube;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import tools.jackson.databind.json.JsonMapper;

/**
 * Field paths of objects as Kubernetes' server-side apply tracks them (structured-merge-diff's
 * {@code FieldsV1}), for the subset of the schema this sandbox models.
 *
 * <p>A path is a list of elements: {@code f:<field>} (a field of a map), {@code k:<key JSON>} (an
 * item of an associative list, by its key fields), {@code v:<value JSON>} (an element of a set). A
 * path is a member of an object's field set when it is a leaf (a scalar, an atomic list or map, an
 * empty map or list) or an item of an associative list or set. Non-empty maps are never members
 * themselves, only their fields.
 *
 * <p>The schema modelled (by field name and place, as the Kubernetes API types declare it):
 *
 * <ul>
 *   <li>associative lists ({@code listType=map}): {@code containers}, {@code initContainers},
 *       {@code ephemeralContainers}, {@code env}, {@code volumes}, {@code imagePullSecrets} by
 *       {@code name}; {@code volumeMounts} by {@code mountPath}; {@code volumeDevices} by {@code
 *       devicePath}; a container's {@code ports} by {@code containerPort}+{@code protocol}; a
 *       Service's {@code spec.ports} by {@code port}+{@code protocol} ({@code protocol} defaults to
 *       {@code TCP}); {@code hostAliases} by {@code ip}; the {@code webhooks} of Validating- and
 *       MutatingWebhookConfigurations by {@code name}; {@code conditions} by {@code type}; {@code
 *       metadata.ownerReferences} by {@code uid}; {@code topologySpreadConstraints} by {@code
 *       topologyKey}+{@code whenUnsatisfiable};
 *   <li>sets ({@code listType=set}): {@code metadata.finalizers};
 *   <li>atomic maps and structs: label selectors ({@code spec.selector} of workloads and Services,
 *       {@code labelSelector}, {@code namespaceSelector}, {@code objectSelector}, {@code
 *       podSelector}) and {@code nodeSelector};
 *   <li>every other list is atomic (a webhook's {@code rules}, a ClusterRole's {@code rules}, a
 *       container's {@code args}, {@code tolerations}, {@code hostnames}, …), every other map is
 *       merged per key.
 * </ul>
 */
final class FieldPaths {
  static final JsonMapper JSON = JsonMapper.builder().build();

  private static final int MAX_PARSED_ELEMENTS = 10_000;
  private static final Map<String, Object> PARSED_ELEMENTS = new ConcurrentHashMap<>();

  /** What {@link #valueAt} returns for a path the object does not have. */
  static final Object MISSING = new Object();

  /** Metadata fields the API server owns; never part of a field set. */
  private static final Set<String> SERVER_METADATA =
      Set.of(
          "name",
          "namespace",
          "generateName",
          "uid",
          "resourceVersion",
          "generation",
          "creationTimestamp",
          "deletionTimestamp",
          "deletionGracePeriodSeconds",
          "managedFields",
          "selfLink");

  private static final Set<String> WORKLOADS =
      Set.of(
          "Deployment", "DaemonSet", "StatefulSet", "ReplicaSet", "Job", "ReplicationController");

  private static final Set<String> CONTAINER_LISTS =
      Set.of("containers", "initContainers", "ephemeralContainers");

  private static final Set<String> SELECTORS =
      Set.of("labelSelector", "namespaceSelector", "objectSelector", "podSelector", "nodeSelector");

  private FieldPaths() {}

  /** How a list is merged and tracked. */
  sealed interface ListType {}

  /** Replaced as a whole, tracked as one leaf. */
  record Atomic() implements ListType {}

  /** Merged per element value, each element tracked. */
  record AsSet() implements ListType {}

  /** Merged per item, by {@code keys}; missing key fields take {@code defaults}. */
  record Keyed(List<String> keys, Map<String, Object> defaults) implements ListType {}

  private static final ListType ATOMIC = new Atomic();

  /**
   * @param kind the object's kind
   * @param names the field names from the root to the list (list items add no name)
   */
  static ListType listType(String kind, List<String> names) {
    String field = names.get(names.size() - 1);
    String parent = names.size() > 1 ? names.get(names.size() - 2) : "";
    return switch (field) {
      case "containers",
          "initContainers",
          "ephemeralContainers",
          "env",
          "volumes",
          "imagePullSecrets" ->
          keyed("name");
      case "volumeMounts" -> keyed("mountPath");
      case "volumeDevices" -> keyed("devicePath");
      case "hostAliases" -> keyed("ip");
      case "conditions" -> keyed("type");
      case "topologySpreadConstraints" -> keyed("topologyKey", "whenUnsatisfiable");
      case "ownerReferences" -> names.size() == 2 ? keyed("uid") : ATOMIC;
      case "finalizers" -> names.size() == 2 ? new AsSet() : ATOMIC;
      case "webhooks" -> kind.endsWith("WebhookConfiguration") ? keyed("name") : ATOMIC;
      case "ports" -> {
        if (CONTAINER_LISTS.contains(parent)) {
          yield new Keyed(List.of("containerPort", "protocol"), Map.of("protocol", "TCP"));
        }
        if ("Service".equals(kind) && names.equals(List.of("spec", "ports"))) {
          yield new Keyed(List.of("port", "protocol"), Map.of("protocol", "TCP"));
        }
        yield ATOMIC;
      }
      default -> ATOMIC;
    };
  }

  private static ListType keyed(String... keys) {
    return new Keyed(List.of(keys), Map.of());
  }

  /** Whether the map at {@code names} is replaced as a whole (atomic map or struct). */
  static boolean atomicMap(String kind, List<String> names) {
    String field = names.get(names.size() - 1);
    if (SELECTORS.contains(field)) {
      return true;
    }
    return names.equals(List.of("spec", "selector"))
        && (WORKLOADS.contains(kind) || "Service".equals(kind));
  }

  /** The field set of {@code object}: its member paths (apiVersion, kind, server metadata out). */
  static Set<List<String>> fieldsOf(Map<String, Object> object) {
    return new LinkedHashSet<>(valuesOf(object).keySet());
  }

  /**
   * The member paths of {@code object}, in {@link #fieldsOf}'s order, each with the value {@link
   * #valueAt} finds there: one walk instead of a walk from the root per path (and a scan of its
   * list per item on the way).
   */
  static Map<List<String>, Object> valuesOf(Map<String, Object> object) {
    String kind = String.valueOf(object.get("kind"));
    Map<List<String>, Object> out = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : object.entrySet()) {
      String field = e.getKey();
      if (field.equals("apiVersion") || field.equals("kind")) {
        continue;
      }
      walk(kind, List.of(field), List.of("f:" + field), e.getValue(), out);
    }
    return out;
  }

  /**
   * The value at {@code path} in {@code object}, looked up in {@code values} (the object's {@link
   * #valuesOf}) when the path is a member there, else walked to: a path may name what is not a
   * member, such as a map that was empty when a manager set it.
   */
  static Object valueAt(Map<List<String>, Object> values, Object object, List<String> path) {
    return values.containsKey(path) ? values.get(path) : valueAt(object, path);
  }

  /** Adds the members under {@code path}; of two with the same path, the first one's value. */
  private static void walk(
      String kind,
      List<String> names,
      List<String> path,
      Object value,
      Map<List<String>, Object> out) {
    if (value instanceof Map<?, ?> map && !map.isEmpty() && !atomicMap(kind, names)) {
      boolean metadata = names.size() == 1 && names.get(0).equals("metadata");
      for (Map.Entry<?, ?> e : map.entrySet()) {
        String field = String.valueOf(e.getKey());
        if (metadata && SERVER_METADATA.contains(field)) {
          continue;
        }
        walk(kind, plus(names, field), plus(path, "f:" + field), e.getValue(), out);
      }
      return;
    }
    if (value instanceof List<?> list && !list.isEmpty()) {
      ListType type = listType(kind, names);
      if (type instanceof AsSet) {
        for (Object element : list) {
          out.putIfAbsent(plus(path, "v:" + json(element)), element);
        }
        return;
      }
      if (type instanceof Keyed keyed && list.stream().allMatch(i -> i instanceof Map)) {
        for (Object item : list) {
          List<String> itemPath = plus(path, "k:" + json(key(keyed, (Map<?, ?>) item)));
          out.putIfAbsent(itemPath, item);
          for (Map.Entry<?, ?> e : ((Map<?, ?>) item).entrySet()) {
            String field = String.valueOf(e.getKey());
            walk(kind, plus(names, field), plus(itemPath, "f:" + field), e.getValue(), out);
          }
        }
        return;
      }
    }
    out.putIfAbsent(path, value);
  }

  /**
   * The key of a list item: its key fields (defaults applied), sorted by name as Kubernetes does.
   */
  static Map<String, Object> key(Keyed keyed, Map<?, ?> item) {
    Map<String, Object> key = new TreeMap<>();
    for (String k : keyed.keys()) {
      Object v = item.get(k);
      if (v == null) {
        v = keyed.defaults().get(k);
      }
      if (v != null) {
        key.put(k, v);
      }
    }
    return key;
  }

  /**
   * The value at {@code path} in {@code object}, or {@link #MISSING}. For an item path, the item;
   * for a set element, the element.
   */
  static Object valueAt(Object object, List<String> path) {
    String kind = object instanceof Map<?, ?> m ? String.valueOf(m.get("kind")) : "";
    Object node = object;
    List<String> names = new ArrayList<>();
    for (String element : path) {
      if (element.startsWith("f:")) {
        if (!(node instanceof Map<?, ?> map) || !map.containsKey(element.substring(2))) {
          return MISSING;
        }
        names.add(element.substring(2));
        node = map.get(element.substring(2));
      } else if (node instanceof List<?> list) {
        int i = indexOf(kind, names, list, element);
        if (i < 0) {
          return MISSING;
        }
        node = list.get(i);
      } else {
        return MISSING;
      }
    }
    return node;
  }

  /** The index in {@code list} (at field names {@code names}) of the item or element named. */
  static int indexOf(String kind, List<String> names, List<?> list, String element) {
    if (element.startsWith("v:")) {
      Object wanted = parsedElement(element);
      for (int i = 0; i < list.size(); i++) {
        if (Objects.equals(list.get(i), wanted)) {
          return i;
        }
      }
      return -1;
    }
    if (element.startsWith("k:") && listType(kind, names) instanceof Keyed keyed) {
      Object wanted = parsedElement(element);
      for (int i = 0; i < list.size(); i++) {
        if (list.get(i) instanceof Map<?, ?> item && wanted.equals(key(keyed, item))) {
          return i;
        }
      }
    }
    return -1;
  }

  /**
   * The JSON of a {@code k:} or {@code v:} path element, parsed once: the same few elements (a
   * container's name, a port, a condition's type) are looked up again on every write. Shared:
   * compared only, never changed.
   */
  private static Object parsedElement(String element) {
    Object parsed = PARSED_ELEMENTS.get(element);
    if (parsed == null) {
      parsed = parse(element.substring(2));
      if (PARSED_ELEMENTS.size() >= MAX_PARSED_ELEMENTS) {
        PARSED_ELEMENTS.clear();
      }
      PARSED_ELEMENTS.put(element, parsed);
    }
    return parsed;
  }

  /**
   * Removes what {@code path} names from {@code object}; a map or list that this leaves empty goes
   * too. Does nothing when the path is missing.
   */
  static void remove(Map<String, Object> object, List<String> path) {
    String kind = String.valueOf(object.get("kind"));
    List<Object> parents = new ArrayList<>();
    Object node = object;
    List<String> names = new ArrayList<>();
    for (int depth = 0; depth < path.size(); depth++) {
      parents.add(node);
      String element = path.get(depth);
      if (element.startsWith("f:") && node instanceof Map<?, ?> map) {
        if (!map.containsKey(element.substring(2))) {
          return;
        }
        names.add(element.substring(2));
        node = map.get(element.substring(2));
      } else if (node instanceof List<?> list) {
        int i = indexOf(kind, names, list, element);
        if (i < 0) {
          return;
        }
        node = list.get(i);
      } else {
        return;
      }
    }
    for (int depth = path.size() - 1; depth >= 0; depth--) {
      Object parent = parents.get(depth);
      String element = path.get(depth);
      if (parent instanceof Map<?, ?> map) {
        map.remove(element.substring(2));
        if (!map.isEmpty() || depth == 0) {
          return;
        }
      } else if (parent instanceof List<?> list) {
        list.remove(indexOf(kind, fieldNames(path.subList(0, depth)), list, element));
        if (!list.isEmpty()) {
          return;
        }
      }
    }
  }

  /** The field names along {@code path} (items add none). */
  static List<String> fieldNames(List<String> path) {
    return path.stream().filter(e -> e.startsWith("f:")).map(e -> e.substring(2)).toList();
  }

  /** The field set as Kubernetes writes it in {@code managedFields[].fieldsV1}. */
  static Map<String, Object> toFieldsV1(Set<List<String>> paths) {
    Map<String, Object> root = new TreeMap<>();
    List<List<String>> sorted = new ArrayList<>(paths);
    sorted.sort(Comparator.comparingInt(List::size));
    for (List<String> path : sorted) {
      Map<String, Object> node = root;
      for (String element : path) {
        @SuppressWarnings("unchecked")
        Map<String, Object> child =
            (Map<String, Object>) node.computeIfAbsent(element, k -> new TreeMap<>());
        node = child;
      }
    }
    // A member with members below it says so with ".".
    for (List<String> path : paths) {
      Map<String, Object> node = root;
      for (String element : path) {
        @SuppressWarnings("unchecked")
        Map<String, Object> child = (Map<String, Object>) node.get(element);
        node = child;
      }
      if (!node.isEmpty()) {
        node.put(".", new TreeMap<>());
      }
    }
    return root;
  }

  /** The field set a {@code fieldsV1} tree names. */
  static Set<List<String>> fromFieldsV1(Object fieldsV1) {
    Set<List<String>> out = new LinkedHashSet<>();
    if (fieldsV1 instanceof Map<?, ?> map) {
      read(map, List.of(), out);
    }
    return out;
  }

  private static void read(Map<?, ?> node, List<String> path, Set<List<String>> out) {
    for (Map.Entry<?, ?> e : node.entrySet()) {
      String element = String.valueOf(e.getKey());
      if (element.equals(".")) {
        out.add(path);
      } else if (e.getValue() instanceof Map<?, ?> child && !child.isEmpty()) {
        read(child, plus(path, element), out);
      } else {
        out.add(plus(path, element));
      }
    }
  }

  /** A path as Kubernetes prints it in conflicts: {@code .spec.containers[name="c"].image}. */
  static String describe(List<String> path) {
    StringBuilder s = new StringBuilder();
    for (String element : path) {
      String body = element.substring(2);
      if (element.startsWith("f:")) {
        s.append('.').append(body);
      } else if (element.startsWith("v:")) {
        s.append("[=").append(body).append(']');
      } else {
        Map<?, ?> key = (Map<?, ?>) parse(body);
        List<String> parts = new ArrayList<>();
        key.forEach((k, v) -> parts.add(k + "=" + json(v)));
        s.append('[').append(String.join(",", parts)).append(']');
      }
    }
    return s.toString();
  }

  /** Whether {@code path} names a list item or set element, whose identity is its key. */
  static boolean isItem(List<String> path) {
    String last = path.get(path.size() - 1);
    return last.startsWith("k:") || last.startsWith("v:");
  }

  /** Whether {@code prefix} is a proper prefix of {@code path}. */
  static boolean under(List<String> path, List<String> prefix) {
    return path.size() > prefix.size() && path.subList(0, prefix.size()).equals(prefix);
  }

  static String json(Object value) {
    return JSON.writeValueAsString(value);
  }

  static Object parse(String json) {
    return JSON.readValue(json, Object.class);
  }

  /** A deep copy with the mapper's own types (numbers as it reads them). */
  static Object normal(Object value) {
    return parse(json(value));
  }

  /** A deep copy of an object of the mapper's types (maps, lists and immutable scalars). */
  @SuppressWarnings("unchecked")
  static Map<String, Object> copy(Map<String, Object> object) {
    return (Map<String, Object>) deepCopy(object);
  }

  /** A deep copy of a value of the mapper's types. */
  static Object copyValue(Object value) {
    return deepCopy(value);
  }

  private static Object deepCopy(Object value) {
    if (value instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>(Math.max(4, m.size() * 2));
      m.forEach((k, v) -> out.put(String.valueOf(k), deepCopy(v)));
      return out;
    }
    if (value instanceof List<?> l) {
      List<Object> out = new ArrayList<>(l.size());
      l.forEach(v -> out.add(deepCopy(v)));
      return out;
    }
    return value;
  }

  @SuppressWarnings("unchecked")
  static <T> List<T> plus(List<T> list, T element) {
    Object[] out = list.toArray(new Object[list.size() + 1]);
    out[list.size()] = element;
    return (List<T>) List.of(out);
  }

  /** A map of the mapper's kind ({@link LinkedHashMap}), for building objects. */
  static Map<String, Object> map() {
    return new LinkedHashMap<>();
  }
}
