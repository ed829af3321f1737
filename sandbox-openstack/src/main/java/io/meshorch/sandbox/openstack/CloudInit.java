package io.meshorch.sandbox.openstack;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * What cloud-init makes of a server's user data on an Ubuntu cloud image, applied to the sandbox
 * VM's model (no command runs on the host). In cloud-init's order: {@code groups} and {@code users}
 * (init stage), {@code bootcmd}, {@code mounts}, {@code packages}, then {@code runcmd} (final
 * stage). A {@code #!} script runs as {@code runcmd} would.
 *
 * <p>What it understands: the packages {@code docker.io} / {@code docker-ce} (install Docker and
 * create the {@code docker} group), {@code groups} (names, or {@code {group: [members]}}), {@code
 * users} ({@code default} = the image's {@code ubuntu}; entries with {@code name} and {@code
 * groups}, which must exist, as {@code useradd} requires), {@code mounts} (an {@code /etc/fstab}
 * line, mounted at once), and these commands in {@code bootcmd}/{@code runcmd} (lists or strings,
 * {@code sh -c} unwrapped, {@code ||}/{@code &&}/{@code ;} split): {@code usermod -aG|-a -G G U},
 * {@code gpasswd -a U G}, {@code adduser U G}, {@code mount -t bpf bpffs /sys/fs/bpf}, {@code mount
 * /sys/fs/bpf}, {@code mount --make-shared /sys/fs/bpf}, {@code mountpoint -q P}, {@code systemctl
 * enable [--now] docker}. Every other command is written to the console as not run by the sandbox.
 * A failing command is reported as cloud-init does ({@code usermod: group 'docker' does not exist})
 * and the others go on; the user data never fails the server.
 */
final class CloudInit {
  /** The image's default user, created unless {@code users} leaves out {@code default}. */
  static final String DEFAULT_USER = "ubuntu";

  private static final Set<String> DOCKER_PACKAGES = Set.of("docker.io", "docker-ce");
  private static final String BPF = "/sys/fs/bpf";

  /** The state of the VM after cloud-init, read by its SSH commands. */
  static final class Node {
    final Set<String> users = new LinkedHashSet<>();
    final Map<String, Set<String>> groups = new LinkedHashMap<>();
    final List<String> fstab = new ArrayList<>();
    final List<String> log = new ArrayList<>();
    boolean docker;
    boolean bpfMounted;
    boolean bpfShared;

    /** Whether {@code user} may use the Docker socket ({@code root:docker}, mode 0660). */
    boolean dockerAccess(String user) {
      return "root".equals(user) || groups.getOrDefault("docker", Set.of()).contains(user);
    }

    /** The groups of {@code user}, primary group first, as {@code id -nG} prints them. */
    List<String> groupsOf(String user) {
      List<String> out = new ArrayList<>();
      out.add(user);
      groups.forEach(
          (g, members) -> {
            if (members.contains(user) && !g.equals(user)) {
              out.add(g);
            }
          });
      return out;
    }
  }

  private CloudInit() {}

  /** Applies {@code userData} (null or empty: none) to a fresh Ubuntu image. */
  @SuppressWarnings("unchecked")
  static Node apply(String userData) {
    Node node = new Node();
    for (String g : List.of("adm", "cdrom", "sudo", "dip", "lxd")) {
      node.groups.put(g, new LinkedHashSet<>());
    }
    String text = userData == null ? "" : userData;
    if (text.startsWith("#!")) {
      addUser(node, DEFAULT_USER, List.of("adm", "cdrom", "sudo", "dip", "lxd"));
      text.lines()
          .skip(1)
          .map(String::strip)
          .filter(l -> !l.isEmpty() && !l.startsWith("#"))
          .forEach(l -> run(node, l, "runcmd"));
      return node;
    }
    Map<String, Object> config = Map.of();
    if (text.startsWith("#cloud-config")) {
      try {
        Object parsed = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
        if (parsed instanceof Map<?, ?> m) {
          config = (Map<String, Object>) m;
        }
      } catch (YAMLException e) {
        node.log.add("cloud-init: failed to load user data as cloud-config: " + e.getMessage());
      }
    }
    for (Object g : list(config.get("groups"))) {
      if (g instanceof Map<?, ?> m) {
        m.forEach(
            (name, members) -> {
              Set<String> set =
                  node.groups.computeIfAbsent(name.toString(), k -> new LinkedHashSet<>());
              list(members).forEach(u -> set.add(u.toString()));
            });
      } else if (g != null) {
        node.groups.computeIfAbsent(g.toString(), k -> new LinkedHashSet<>());
      }
    }
    Object users = config.get("users");
    if (users == null) {
      addUser(node, DEFAULT_USER, List.of("adm", "cdrom", "sudo", "dip", "lxd"));
    }
    for (Object u : list(users)) {
      if ("default".equals(u)) {
        addUser(node, DEFAULT_USER, List.of("adm", "cdrom", "sudo", "dip", "lxd"));
      } else if (u instanceof Map<?, ?> m && m.get("name") != null) {
        Object g = m.get("groups");
        List<String> wanted =
            g instanceof String s
                ? List.of(s.split("\\s*,\\s*"))
                : list(g).stream().map(Object::toString).toList();
        List<String> missing = wanted.stream().filter(w -> !node.groups.containsKey(w)).toList();
        if (!missing.isEmpty()) {
          node.log.add("useradd: group '" + missing.get(0) + "' does not exist");
          node.log.add("cloud-init: Failed to create user " + m.get("name"));
          continue;
        }
        addUser(node, m.get("name").toString(), wanted);
      }
    }
    for (Object c : list(config.get("bootcmd"))) {
      run(node, command(c), "bootcmd");
    }
    for (Object m : list(config.get("mounts"))) {
      List<Object> fields = list(m);
      if (fields.size() >= 3) {
        List<String> line = new ArrayList<>();
        fields.forEach(f -> line.add(String.valueOf(f)));
        node.fstab.add(String.join("\t", line));
        if (BPF.equals(line.get(1)) && "bpf".equals(line.get(2))) {
          node.bpfMounted = true;
        }
      }
    }
    for (Object p : list(config.get("packages"))) {
      String name = String.valueOf(p instanceof List<?> l && !l.isEmpty() ? l.get(0) : p);
      if (DOCKER_PACKAGES.contains(name.split("=")[0])) {
        node.docker = true;
        // the package's postinst: addgroup --system docker
        node.groups.computeIfAbsent("docker", k -> new LinkedHashSet<>());
      }
    }
    for (Object c : list(config.get("runcmd"))) {
      run(node, command(c), "runcmd");
    }
    return node;
  }

  private static void addUser(Node node, String user, List<String> groups) {
    node.users.add(user);
    node.groups.computeIfAbsent(user, k -> new LinkedHashSet<>()).add(user);
    groups.forEach(g -> node.groups.computeIfAbsent(g, k -> new LinkedHashSet<>()).add(user));
  }

  private static List<Object> list(Object value) {
    if (value instanceof List<?> l) {
      return new ArrayList<>(l);
    }
    return value == null ? List.of() : List.of(value);
  }

  /** A cloud-config command (a list is argv, a string a shell line) as one shell line. */
  private static String command(Object c) {
    if (c instanceof List<?> argv) {
      if (argv.size() == 3 && "sh".equals(argv.get(0)) && "-c".equals(argv.get(1))) {
        return String.valueOf(argv.get(2));
      }
      List<String> words = new ArrayList<>();
      argv.forEach(a -> words.add(String.valueOf(a)));
      return String.join(" ", words);
    }
    return String.valueOf(c);
  }

  /** Runs a shell line: {@code a || b} runs b when a failed, {@code a && b} when it succeeded. */
  private static void run(Node node, String line, String stage) {
    boolean last = true;
    String op = ";";
    for (String part : line.split("(?<=\\|\\||&&|;)|(?=\\|\\||&&|;)")) {
      String p = part.strip();
      if (p.equals("||") || p.equals("&&") || p.equals(";")) {
        op = p;
        continue;
      }
      if (p.isEmpty()) {
        continue;
      }
      boolean runIt = op.equals(";") || (op.equals("&&") == last);
      if (runIt) {
        last = one(node, p.split("\\s+"), stage);
      }
    }
  }

  private static boolean one(Node node, String[] argv, String stage) {
    String cmd = String.join(" ", argv);
    switch (argv[0]) {
      case "usermod":
        if (argv.length == 4 && argv[1].equals("-aG")) {
          return addToGroup(node, argv[3], argv[2]);
        }
        if (argv.length == 5 && argv[1].equals("-a") && argv[2].equals("-G")) {
          return addToGroup(node, argv[4], argv[3]);
        }
        break;
      case "gpasswd":
        if (argv.length == 4 && argv[1].equals("-a")) {
          return addToGroup(node, argv[2], argv[3]);
        }
        break;
      case "adduser":
        if (argv.length == 3) {
          return addToGroup(node, argv[1], argv[2]);
        }
        break;
      case "mountpoint":
        return argv[argv.length - 1].equals(BPF) && node.bpfMounted;
      case "mount":
        if (cmd.equals("mount --make-shared " + BPF)) {
          if (!node.bpfMounted) {
            node.log.add("mount: " + BPF + ": not mount point or bad option.");
            return false;
          }
          node.bpfShared = true;
          return true;
        }
        if (cmd.equals("mount -t bpf bpffs " + BPF)
            || cmd.equals("mount bpffs " + BPF + " -t bpf")
            || (cmd.equals("mount " + BPF) && node.fstab.stream().anyMatch(l -> l.contains(BPF)))) {
          node.bpfMounted = true;
          return true;
        }
        break;
      case "systemctl":
        if (argv.length >= 3
            && argv[1].equals("enable")
            && argv[argv.length - 1].equals("docker")) {
          if (!node.docker) {
            node.log.add("Failed to enable unit: Unit file docker.service does not exist.");
            return false;
          }
          return true;
        }
        break;
      default:
        break;
    }
    node.log.add("sandbox: " + stage + " command not run: " + cmd.toLowerCase(Locale.ROOT));
    return true;
  }

  private static boolean addToGroup(Node node, String user, String group) {
    if (!node.users.contains(user)) {
      node.log.add("usermod: user '" + user + "' does not exist");
      return false;
    }
    Set<String> members = node.groups.get(group);
    if (members == null) {
      node.log.add("usermod: group '" + group + "' does not exist");
      return false;
    }
    members.add(user);
    return true;
  }
}
