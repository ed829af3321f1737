package io.meshorch.sandbox.openstack;

import java.util.Map;

/** Navigation in parsed JSON (maps and lists). */
final class Json {
  private Json() {}

  /** The string at {@code path}, or null. */
  static String str(Map<String, Object> root, String... path) {
    Object value = at(root, path);
    return value instanceof String s ? s : null;
  }

  static Object at(Map<String, Object> root, String... path) {
    Object current = root;
    for (String key : path) {
      if (!(current instanceof Map<?, ?> map)) {
        return null;
      }
      current = map.get(key);
    }
    return current;
  }
}
