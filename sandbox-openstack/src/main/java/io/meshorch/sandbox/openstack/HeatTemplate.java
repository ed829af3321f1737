package io.meshorch.sandbox.openstack;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * The part of the Heat template language the sandbox understands: parameters with defaults, {@code
 * OS::Neutron::SecurityGroup}, {@code OS::Neutron::Port} and {@code OS::Nova::Server} resources,
 * outputs, and the intrinsic functions {@code get_param}, {@code get_resource}, {@code get_attr},
 * {@code list_join} and {@code str_replace}.
 */
final class HeatTemplate {
  static final Set<String> SUPPORTED =
      Set.of("OS::Neutron::SecurityGroup", "OS::Neutron::Port", "OS::Nova::Server");

  /** A template Heat refuses; becomes 400 StackValidationFailed. */
  static final class Invalid extends RuntimeException {
    Invalid(String message) {
      super(message);
    }
  }

  final String description;
  final Map<String, Object> parameters;
  final Map<String, Map<String, Object>> resources;
  final Map<String, Map<String, Object>> outputs;

  private HeatTemplate(
      String description,
      Map<String, Object> parameters,
      Map<String, Map<String, Object>> resources,
      Map<String, Map<String, Object>> outputs) {
    this.description = description;
    this.parameters = parameters;
    this.resources = resources;
    this.outputs = outputs;
  }

  @SuppressWarnings("unchecked")
  static HeatTemplate parse(Object template, Map<String, Object> given) {
    Object root;
    if (template instanceof String text) {
      try {
        root = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
      } catch (YAMLException e) {
        throw new Invalid("Error parsing template: " + e.getMessage());
      }
    } else {
      root = template;
    }
    if (!(root instanceof Map<?, ?> map) || !map.containsKey("heat_template_version")) {
      throw new Invalid("Template format version not found.");
    }
    Map<String, Object> t = (Map<String, Object>) map;
    Map<String, Object> params = new LinkedHashMap<>();
    Map<String, Object> declared = (Map<String, Object>) t.getOrDefault("parameters", Map.of());
    for (Map.Entry<String, Object> p : declared.entrySet()) {
      Object def = p.getValue() instanceof Map<?, ?> pm ? pm.get("default") : null;
      Object value = given.containsKey(p.getKey()) ? given.get(p.getKey()) : def;
      if (value == null) {
        throw new Invalid("The Parameter (" + p.getKey() + ") was not provided.");
      }
      params.put(p.getKey(), value);
    }
    Map<String, Map<String, Object>> resources = new LinkedHashMap<>();
    Map<String, Object> declaredResources =
        (Map<String, Object>) t.getOrDefault("resources", Map.of());
    for (Map.Entry<String, Object> r : declaredResources.entrySet()) {
      if (!(r.getValue() instanceof Map<?, ?> rm) || !(rm.get("type") instanceof String type)) {
        throw new Invalid("Resource " + r.getKey() + " has no type");
      }
      if (!SUPPORTED.contains(type)) {
        throw new Invalid("The Resource Type (" + type + ") could not be found.");
      }
      resources.put(r.getKey(), (Map<String, Object>) rm);
    }
    Map<String, Map<String, Object>> outputs = new LinkedHashMap<>();
    ((Map<String, Object>) t.getOrDefault("outputs", Map.of()))
        .forEach(
            (k, v) ->
                outputs.put(
                    k, v instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of("value", v)));
    return new HeatTemplate(
        String.valueOf(t.getOrDefault("description", "No description")),
        params,
        resources,
        outputs);
  }

  /**
   * Resource names in creation order: security groups, then ports (which reference groups), then
   * servers (which reference ports).
   */
  List<String> creationOrder() {
    List<String> order = new ArrayList<>();
    resources.forEach(
        (name, r) -> {
          if (r.get("type").equals("OS::Neutron::SecurityGroup")) order.add(name);
        });
    resources.forEach(
        (name, r) -> {
          if (r.get("type").equals("OS::Neutron::Port")) order.add(name);
        });
    resources.forEach(
        (name, r) -> {
          if (r.get("type").equals("OS::Nova::Server")) order.add(name);
        });
    return order;
  }

  /**
   * Evaluates intrinsic functions in {@code value}.
   *
   * @param resourceId the physical ID of a created resource
   * @param attribute the attribute of a created resource, by path
   */
  @SuppressWarnings("unchecked")
  Object resolve(
      Object value,
      Function<String, String> resourceId,
      BiFunction<String, List<Object>, Object> attribute) {
    if (value instanceof Map<?, ?> map && map.size() == 1) {
      Map.Entry<String, Object> fn = ((Map<String, Object>) map).entrySet().iterator().next();
      Object arg = resolve(fn.getValue(), resourceId, attribute);
      switch (fn.getKey()) {
        case "get_param":
          return param(arg);
        case "get_resource":
          return resourceId.apply(String.valueOf(arg));
        case "get_attr":
          {
            List<Object> path = (List<Object>) arg;
            return attribute.apply(String.valueOf(path.get(0)), path.subList(1, path.size()));
          }
        case "list_join":
          {
            List<Object> a = (List<Object>) arg;
            List<String> parts = new ArrayList<>();
            for (Object item : (List<Object>) a.get(1)) {
              parts.add(String.valueOf(item));
            }
            return String.join(String.valueOf(a.get(0)), parts);
          }
        case "str_replace":
          {
            Map<String, Object> a = (Map<String, Object>) arg;
            String text = String.valueOf(a.get("template"));
            for (Map.Entry<String, Object> p : ((Map<String, Object>) a.get("params")).entrySet()) {
              text = text.replace(p.getKey(), String.valueOf(p.getValue()));
            }
            return text;
          }
        default:
          break;
      }
    }
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> out = new LinkedHashMap<>();
      ((Map<String, Object>) map).forEach((k, v) -> out.put(k, resolve(v, resourceId, attribute)));
      return out;
    }
    if (value instanceof List<?> list) {
      List<Object> out = new ArrayList<>();
      list.forEach(v -> out.add(resolve(v, resourceId, attribute)));
      return out;
    }
    return value;
  }

  private Object param(Object name) {
    if (name instanceof List<?> path) {
      return parameters.get(String.valueOf(path.get(0)));
    }
    return parameters.get(String.valueOf(name));
  }
}
