package io.meshorch.meshctl.spec;

import io.meshorch.contracts.ClusterSpec;
import io.meshorch.contracts.KubernetesSpec;
import io.meshorch.contracts.MachineSpec;
import io.meshorch.contracts.MeshRequested;
import io.meshorch.contracts.Violation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads a mesh file ({@code mesh.yaml}) into the mesh ID and the {@link MeshRequested} event. Only
 * the shape is checked here (known keys, value types); the mesh rules are checked by {@code
 * MeshRequestValidator}. A {@code defaults.machine} block applies to every cluster that does not
 * set a machine key itself. {@code kubernetes} ({@code distribution: rke1|rke2}, optional {@code
 * version}) picks the Kubernetes of one cluster; {@code defaults.kubernetes} is the mesh's choice
 * for clusters without one ({@link MeshRequested#kubernetes()}); without either, RKE1.
 *
 * <pre>
 * mesh: demo
 * defaults:
 *   machine: {image: ubuntu-22.04, flavor: m1.large, network: mesh-net, keyName: mesh, sshUser: ubuntu}
 * clusters:
 *   - {name: east, id: 1, nodeCount: 2, podCidr: 10.101.0.0/16, serviceCidr: 10.201.0.0/16,
 *      lbAddressPool: 192.168.50.10-192.168.50.19}
 *   - {name: west, id: 2, nodeCount: 2, podCidr: 10.102.0.0/16, serviceCidr: 10.202.0.0/16,
 *      lbAddressPool: 192.168.51.10-192.168.51.19,
 *      kubernetes: {distribution: rke2, version: v1.30.4+rke2r1}}
 * </pre>
 */
public final class MeshFile {
  private static final Set<String> TOP = Set.of("mesh", "defaults", "clusters");
  private static final Set<String> DEFAULTS = Set.of("machine", "kubernetes");
  private static final Set<String> CLUSTER =
      Set.of(
          "name",
          "id",
          "nodeCount",
          "podCidr",
          "serviceCidr",
          "lbAddressPool",
          "machine",
          "kubernetes");
  private static final Set<String> KUBERNETES = Set.of("distribution", "version");
  private static final Set<String> MACHINE =
      Set.of("image", "flavor", "network", "keyName", "sshUser", "securityGroups");

  /**
   * What the file says.
   *
   * @param meshId the {@code mesh} key
   * @param request the request to publish
   * @param problems shape problems (unknown keys, wrong types); publish nothing when non-empty
   */
  public record Parsed(String meshId, MeshRequested request, List<Violation> problems) {}

  private MeshFile() {}

  /** Reads and parses {@code file}; an unreadable file or invalid YAML is one problem. */
  public static Parsed read(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      return failed(new Violation("file", "cannot read " + file + ": " + e.getMessage()));
    }
    return parse(text);
  }

  /** Parses mesh-file text. */
  public static Parsed parse(String text) {
    Object root;
    try {
      root = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
    } catch (YAMLException e) {
      return failed(new Violation("file", "is not valid YAML: " + e.getMessage()));
    }
    List<Violation> problems = new ArrayList<>();
    Map<String, Object> top = object(root, "(file)", TOP, problems);
    String meshId = string(top.get("mesh"), "mesh", problems);
    Map<String, Object> defaults = object(top.get("defaults"), "defaults", DEFAULTS, problems);
    Map<String, Object> defaultMachine =
        object(defaults.get("machine"), "defaults.machine", MACHINE, problems);
    List<ClusterSpec> clusters = new ArrayList<>();
    Object list = top.get("clusters");
    if (list != null && !(list instanceof List<?>)) {
      problems.add(new Violation("clusters", "must be a list of clusters"));
    } else if (list != null) {
      List<?> items = (List<?>) list;
      for (int i = 0; i < items.size(); i++) {
        clusters.add(cluster(items.get(i), "clusters[" + i + "]", defaultMachine, problems));
      }
    }
    KubernetesSpec meshKubernetes =
        kubernetes(defaults.get("kubernetes"), "defaults.kubernetes", problems);
    return new Parsed(meshId, new MeshRequested(clusters, meshKubernetes), List.copyOf(problems));
  }

  /** A {@code kubernetes} block, or null when absent. */
  private static KubernetesSpec kubernetes(Object value, String at, List<Violation> problems) {
    if (value == null) {
      return null;
    }
    Map<String, Object> k = object(value, at, KUBERNETES, problems);
    return new KubernetesSpec(
        string(k.get("distribution"), at + ".distribution", problems),
        string(k.get("version"), at + ".version", problems));
  }

  private static ClusterSpec cluster(
      Object value, String at, Map<String, Object> defaultMachine, List<Violation> problems) {
    if (value == null) {
      return null;
    }
    Map<String, Object> c = object(value, at, CLUSTER, problems);
    Map<String, Object> own = object(c.get("machine"), at + ".machine", MACHINE, problems);
    MachineSpec machine = null;
    if (!own.isEmpty() || !defaultMachine.isEmpty()) {
      String m = at + ".machine.";
      machine =
          new MachineSpec(
              string(own.getOrDefault("image", defaultMachine.get("image")), m + "image", problems),
              string(
                  own.getOrDefault("flavor", defaultMachine.get("flavor")), m + "flavor", problems),
              string(
                  own.getOrDefault("network", defaultMachine.get("network")),
                  m + "network",
                  problems),
              string(
                  own.getOrDefault("keyName", defaultMachine.get("keyName")),
                  m + "keyName",
                  problems),
              string(
                  own.getOrDefault("sshUser", defaultMachine.get("sshUser")),
                  m + "sshUser",
                  problems),
              strings(
                  own.getOrDefault("securityGroups", defaultMachine.get("securityGroups")),
                  m + "securityGroups",
                  problems));
    }
    return new ClusterSpec(
        string(c.get("name"), at + ".name", problems),
        integer(c.get("id"), at + ".id", problems),
        integer(c.get("nodeCount"), at + ".nodeCount", problems),
        string(c.get("podCidr"), at + ".podCidr", problems),
        string(c.get("serviceCidr"), at + ".serviceCidr", problems),
        string(c.get("lbAddressPool"), at + ".lbAddressPool", problems),
        machine,
        kubernetes(c.get("kubernetes"), at + ".kubernetes", problems));
  }

  private static Map<String, Object> object(
      Object value, String at, Set<String> allowed, List<Violation> problems) {
    if (value == null) {
      return Map.of();
    }
    if (!(value instanceof Map<?, ?> map)) {
      problems.add(
          new Violation(at, "must be a mapping with keys " + new java.util.TreeSet<>(allowed)));
      return Map.of();
    }
    Map<String, Object> out = new java.util.LinkedHashMap<>();
    for (Map.Entry<?, ?> e : map.entrySet()) {
      String key = String.valueOf(e.getKey());
      if (!allowed.contains(key)) {
        String field = at.equals("(file)") ? key : at + "." + key;
        problems.add(
            new Violation(
                field, "is not a known field; known: " + new java.util.TreeSet<>(allowed)));
      } else {
        out.put(key, e.getValue());
      }
    }
    return out;
  }

  private static String string(Object value, String at, List<Violation> problems) {
    if (value == null) {
      return null;
    }
    if (value instanceof String s) {
      return s;
    }
    if (value instanceof Number || value instanceof Boolean) {
      return String.valueOf(value);
    }
    problems.add(new Violation(at, "must be a string"));
    return null;
  }

  /** An optional list of strings (null when absent). */
  private static List<String> strings(Object value, String at, List<Violation> problems) {
    if (value == null) {
      return null;
    }
    if (!(value instanceof List<?> list)) {
      problems.add(new Violation(at, "must be a list of names or IDs"));
      return null;
    }
    List<String> out = new java.util.ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      out.add(string(list.get(i), at + "[" + i + "]", problems));
    }
    return out;
  }

  private static Integer integer(Object value, String at, List<Violation> problems) {
    if (value == null) {
      return null;
    }
    if (value instanceof Integer i) {
      return i;
    }
    problems.add(new Violation(at, "must be a whole number, found '" + value + "'"));
    return null;
  }

  private static Parsed failed(Violation problem) {
    return new Parsed(null, new MeshRequested(List.of()), List.of(problem));
  }
}
