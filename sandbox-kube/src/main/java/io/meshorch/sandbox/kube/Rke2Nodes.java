package io.meshorch.sandbox.kube;

import io.meshorch.sandbox.core.ClusterRef;
import io.meshorch.sandbox.core.SandboxStep;
import io.meshorch.sandbox.core.SideEffect;
import io.meshorch.sandbox.core.VmCommands;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * RKE2 on the sandbox's VMs, as their shell answers it over SSH (plug it into the cloud sandbox
 * with {@code cloud.addVmCommands(kube.rke2())}). Per VM: the install script run ({@code curl -sfL
 * <url> | sudo INSTALL_RKE2_VERSION=… INSTALL_RKE2_TYPE=… sh -}, or the air-gap {@code sudo
 * INSTALL_RKE2_ARTIFACT_PATH=<dir> … sh <dir>/install.sh}) records the release; {@code
 * /etc/rancher/rke2/config.yaml} as written; the units {@code rke2-server} and {@code rke2-agent}
 * ({@code systemctl enable}, {@code restart}, {@code is-active}) and their journal ({@code
 * journalctl -u <unit>}).
 *
 * <p>A server unit is {@code activating} for the {@code rke-up} latency after its start, then
 * {@code active}: its supervisor (9345) and API answer. An agent registers once its {@code server:}
 * names an active server whose supervisor is reachable and its {@code token} is the server's; until
 * then it stays {@code activating} and its journal says why, as RKE2's does (connection reset by
 * the local load balancer when 9345 does not answer, {@code 401 Unauthorized} for a wrong token).
 * On the server, {@code kubectl get nodes -o name} lists the registered nodes and {@code rke2.yaml}
 * is the admin kubeconfig of a sandbox API server for the cluster (started when the file is first
 * read, with the nodes registered by then), listening on the server VM's address but written, as
 * RKE2 writes it, for {@code 127.0.0.1}: whoever uses it elsewhere must rewrite the host. The
 * sandbox's API servers speak plain HTTP on a random port, so the file keeps that scheme and port.
 *
 * <p>Counters: {@code rke2-installs} per install script run, {@code rke-clusters-started} when a
 * cluster's API server starts.
 */
public final class Rke2Nodes implements VmCommands {
  private static final Logger log = LoggerFactory.getLogger(Rke2Nodes.class);

  private static final Pattern WRITE_CONFIG =
      Pattern.compile(
          "^sudo sh -c 'umask 077 && mkdir -p /etc/rancher/rke2 && echo ([A-Za-z0-9+/=]+) \\|"
              + " base64 -d > /etc/rancher/rke2/config.yaml.new && .*'$");
  private static final Pattern INSTALL_SCRIPT =
      Pattern.compile("^curl -sfL (\\S+) \\| sudo ((?:[A-Z0-9_]+=\\S+ )*)sh -$");
  private static final Pattern INSTALL_AIRGAP =
      Pattern.compile("^sudo ((?:[A-Z0-9_]+=\\S+ )+)sh (\\S+)/install\\.sh$");
  private static final Pattern START =
      Pattern.compile(
          "^sudo systemctl enable (rke2-(?:server|agent))"
              + " && sudo systemctl --no-block restart (rke2-(?:server|agent))$");
  private static final Pattern IS_ACTIVE =
      Pattern.compile("^systemctl is-active (rke2-(?:server|agent))$");
  private static final Pattern JOURNAL =
      Pattern.compile("^sudo journalctl -u (rke2-(?:server|agent)) .*$");
  private static final String GET_NODES =
      "sudo /var/lib/rancher/rke2/bin/kubectl --kubeconfig /etc/rancher/rke2/rke2.yaml get nodes"
          + " -o name";
  private static final String READ_KUBECONFIG = "sudo cat /etc/rancher/rke2/rke2.yaml";
  private static final String CACERTS = "Get \\\"https://127.0.0.1:6444/cacerts\\\"";

  private final SandboxKube kube;
  private final Map<String, Vm> vms = new ConcurrentHashMap<>();
  private final Set<String> blockedSupervisors = ConcurrentHashMap.newKeySet();

  Rke2Nodes(SandboxKube kube) {
    this.kube = kube;
  }

  /** What one VM has of RKE2. */
  private static final class Vm {
    final String address;
    final String hostname;
    String version;
    String config;
    Map<String, Object> settings = Map.of();
    String unit;
    String state = "inactive";
    Instant activeAt;
    boolean registered;
    String bootstrapToken;
    final List<String> journal = new ArrayList<>();

    Vm(String address, String hostname) {
      this.address = address;
      this.hostname = hostname;
    }

    String nodeName() {
      Object name = settings.get("node-name");
      return name == null ? hostname : name.toString();
    }

    String token() {
      Object token = settings.get("token");
      return token == null ? "" : token.toString();
    }

    void log(String level, String message) {
      String line = "time=\"" + Instant.now() + "\" level=" + level + " msg=\"" + message + "\"";
      if (journal.isEmpty() || !journal.get(journal.size() - 1).endsWith(message + "\"")) {
        journal.add(line);
      }
      if (journal.size() > 50) {
        journal.remove(0);
      }
    }
  }

  /**
   * Makes the supervisor port (9345) of the RKE2 server on {@code address} unreachable, as a
   * security group without that port would (or reachable again).
   */
  public void supervisorReachable(String address, boolean reachable) {
    if (reachable) {
      blockedSupervisors.remove(address);
    } else {
      blockedSupervisors.add(address);
    }
  }

  /** The release installed on the VM at {@code address}, if any. */
  public synchronized Optional<String> installedVersion(String address) {
    return Optional.ofNullable(vms.get(address)).map(vm -> vm.version);
  }

  /** The config.yaml on the VM at {@code address} as written, if any (holds the join token). */
  public synchronized Optional<String> config(String address) {
    return Optional.ofNullable(vms.get(address)).map(vm -> vm.config);
  }

  /** The journal of {@code unit} on the VM at {@code address} since the unit's last start. */
  public synchronized List<String> journal(String address, String unit) {
    Vm vm = vms.get(address);
    return vm == null || !unit.equals(vm.unit) ? List.of() : List.copyOf(vm.journal);
  }

  @Override
  public synchronized Optional<Answer> answer(Login login, String command) {
    String c = command.strip();
    Vm vm = vms.computeIfAbsent(login.address(), a -> new Vm(a, login.hostname()));
    if (c.equals("rke2 --version")) {
      return Optional.of(
          vm.version == null
              ? new Answer(127, "", "bash: rke2: command not found\n")
              : ok(
                  "rke2 version " + vm.version + " (sandbox)\ngo version go1.22.5 X:boringcrypto"));
    }
    Matcher m;
    if ((m = IS_ACTIVE.matcher(c)).matches()) {
      String state = stateOf(vm, m.group(1));
      return Optional.of(new Answer(state.equals("active") ? 0 : 3, state + "\n", ""));
    }
    if ((m = WRITE_CONFIG.matcher(c)).matches()) {
      return Optional.of(writeConfig(vm, m.group(1)));
    }
    if ((m = INSTALL_SCRIPT.matcher(c)).matches()) {
      return Optional.of(install(vm, env(m.group(2)), null));
    }
    if ((m = INSTALL_AIRGAP.matcher(c)).matches()) {
      Map<String, String> env = env(m.group(1));
      if (!m.group(2).equals(env.get("INSTALL_RKE2_ARTIFACT_PATH"))) {
        return Optional.of(
            new Answer(127, "", "sh: 0: cannot open " + m.group(2) + "/install.sh\n"));
      }
      return Optional.of(install(vm, env, m.group(2)));
    }
    if ((m = START.matcher(c)).matches() && m.group(1).equals(m.group(2))) {
      return Optional.of(start(vm, m.group(1)));
    }
    if ((m = JOURNAL.matcher(c)).matches()) {
      stateOf(vm, m.group(1));
      return Optional.of(
          ok(
              m.group(1).equals(vm.unit) && !vm.journal.isEmpty()
                  ? String.join("\n", vm.journal)
                  : "-- No entries --"));
    }
    if (c.equals(GET_NODES)) {
      return Optional.of(nodes(vm));
    }
    if (c.equals(READ_KUBECONFIG)) {
      return Optional.of(kubeconfig(vm));
    }
    return Optional.empty();
  }

  private Answer writeConfig(Vm vm, String b64) {
    String text = new String(Base64.getDecoder().decode(b64), StandardCharsets.UTF_8);
    if (text.equals(vm.config)) {
      return ok("unchanged");
    }
    vm.config = text;
    Object parsed = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
    @SuppressWarnings("unchecked")
    Map<String, Object> settings =
        parsed instanceof Map<?, ?> ? (Map<String, Object>) parsed : Map.of();
    vm.settings = settings;
    return ok("changed");
  }

  private Answer install(Vm vm, Map<String, String> env, String artifacts) {
    String version = env.getOrDefault("INSTALL_RKE2_VERSION", "v1.32.5+rke2r1");
    String type = env.getOrDefault("INSTALL_RKE2_TYPE", "server");
    vm.version = version;
    ClusterRef ref = refOf(vm);
    kube.recorder().count(SideEffect.RKE2_INSTALLED, ref);
    log.info("rke2 {} ({}) installed on {} ({})", version, type, vm.hostname, ref);
    StringBuilder out = new StringBuilder();
    if (artifacts != null) {
      out.append("[INFO]  staging local checksums from ")
          .append(artifacts)
          .append("/sha256sum-amd64.txt\n");
      out.append("[INFO]  staging tarball from ")
          .append(artifacts)
          .append("/rke2.linux-amd64.tar.gz\n");
    } else {
      out.append("[INFO]  using ").append(version).append(" as release\n");
      out.append(
              "[INFO]  downloading checksums at https://github.com/rancher/rke2/releases/download/")
          .append(version)
          .append("/sha256sum-amd64.txt\n");
      out.append(
              "[INFO]  downloading tarball at https://github.com/rancher/rke2/releases/download/")
          .append(version)
          .append("/rke2.linux-amd64.tar.gz\n");
      out.append("[INFO]  verifying tarball\n");
    }
    out.append("[INFO]  unpacking tarball file to /usr/local");
    return ok(out.toString());
  }

  private Answer start(Vm vm, String unit) {
    if (vm.version == null) {
      return new Answer(
          1, "", "Failed to enable unit: Unit file " + unit + ".service does not exist.\n");
    }
    vm.unit = unit;
    vm.state = "activating";
    vm.registered = false;
    vm.journal.clear();
    vm.log(
        "info",
        "Starting rke2 " + (unit.equals("rke2-server") ? "server" : "agent") + " " + vm.version);
    if (unit.equals("rke2-server")) {
      if (vm.bootstrapToken == null) {
        vm.bootstrapToken = vm.token();
      } else if (!vm.bootstrapToken.equals(vm.token())) {
        // The datastore was encrypted with the first token: RKE2 refuses to start with another.
        vm.state = "failed";
        vm.log(
            "fatal",
            "starting kubernetes: preparing server: bootstrap data already found and encrypted"
                + " with different token");
        return ok("");
      }
      vm.activeAt = Instant.now().plus(kube.latencies().of(SandboxStep.RKE_UP, refOf(vm)));
    } else {
      vm.activeAt = null;
      Object server = vm.settings.get("server");
      vm.log(
          "info",
          "Running load balancer rke2-agent-load-balancer 127.0.0.1:6444 -> ["
              + (server == null ? "" : host(server.toString()) + ":9345")
              + "]");
    }
    return ok("");
  }

  /** The unit's state now, moving it on as time and the other VMs allow. */
  private String stateOf(Vm vm, String unit) {
    if (!unit.equals(vm.unit)) {
      return "inactive";
    }
    if (unit.equals("rke2-server")) {
      if (vm.state.equals("activating") && !Instant.now().isBefore(vm.activeAt)) {
        vm.state = "active";
        vm.registered = true;
        vm.log("info", "rke2 is up and running");
      }
      return vm.state;
    }
    if (!vm.registered) {
      join(vm);
    }
    return vm.state;
  }

  /** An agent's registration attempt: its server must answer on 9345 and accept its token. */
  private void join(Vm agent) {
    Object url = agent.settings.get("server");
    Vm server = url == null ? null : vms.get(host(url.toString()));
    boolean serverUp =
        server != null
            && "rke2-server".equals(server.unit)
            && stateOf(server, "rke2-server").equals("active")
            && !blockedSupervisors.contains(server.address);
    if (!serverUp) {
      agent.log(
          "error",
          "failed to get CA certs: "
              + CACERTS
              + ": read tcp 127.0.0.1:52510->127.0.0.1:6444: read: connection reset by peer");
      return;
    }
    if (!agent.token().equals(server.token())) {
      agent.log("error", "failed to get CA certs: " + CACERTS + ": 401 Unauthorized");
      return;
    }
    agent.registered = true;
    agent.state = "active";
    agent.log("info", "rke2 agent is up and running");
    log.info("rke2: node {} joined the server on {}", agent.nodeName(), server.address);
  }

  private Answer nodes(Vm server) {
    if (!stateOf(server, "rke2-server").equals("active")) {
      return new Answer(
          1,
          "",
          "The connection to the server 127.0.0.1:6443 was refused - did you specify the right"
              + " host or port?\n");
    }
    List<String> names = new ArrayList<>();
    for (Vm vm : members(server)) {
      names.add("node/" + vm.nodeName());
    }
    return ok(String.join("\n", names));
  }

  /** The server and the agents registered with it. */
  private List<Vm> members(Vm server) {
    List<Vm> out = new ArrayList<>();
    out.add(server);
    for (Vm vm : vms.values()) {
      if (vm != server && "rke2-agent".equals(vm.unit)) {
        Object url = vm.settings.get("server");
        if (url != null && host(url.toString()).equals(server.address)) {
          stateOf(vm, "rke2-agent");
          if (vm.registered) {
            out.add(vm);
          }
        }
      }
    }
    return out;
  }

  private Answer kubeconfig(Vm server) {
    if (!"rke2-server".equals(server.unit) || !stateOf(server, "rke2-server").equals("active")) {
      return new Answer(1, "", "cat: /etc/rancher/rke2/rke2.yaml: No such file or directory\n");
    }
    ClusterRef ref = refOf(server);
    List<ClusterYml.Node> nodes = new ArrayList<>();
    List<Vm> members = members(server);
    for (int i = 0; i < members.size(); i++) {
      Vm vm = members.get(i);
      nodes.add(
          new ClusterYml.Node(
              vm.nodeName(),
              vm.address,
              vm.address,
              i == 0 ? List.of("controlplane", "etcd", "worker") : List.of("worker"),
              "root",
              22,
              Path.of("/dev/null")));
    }
    String podCidr = String.valueOf(server.settings.getOrDefault("cluster-cidr", "10.42.0.0/16"));
    String serviceCidr =
        String.valueOf(server.settings.getOrDefault("service-cidr", "10.43.0.0/16"));
    String dns = String.valueOf(server.settings.getOrDefault("cluster-dns", "10.43.0.10"));
    ClusterYml spec = new ClusterYml(ref.cluster(), nodes, podCidr, serviceCidr, dns);
    SandboxCluster cluster = kube.startRke2Cluster(spec, ref, server.address);
    String served = "http://" + server.address + ":";
    return ok(cluster.kubeconfig().replace(served, "http://127.0.0.1:").strip());
  }

  private ClusterRef refOf(Vm vm) {
    return kube.recorder().clusterOfNode(vm.address).orElse(ClusterRef.named(vm.hostname));
  }

  private static Map<String, String> env(String assignments) {
    Map<String, String> env = new java.util.LinkedHashMap<>();
    for (String pair : assignments.strip().split("\\s+")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        env.put(pair.substring(0, eq), pair.substring(eq + 1));
      }
    }
    return env;
  }

  /** The host of {@code https://host:port}. */
  private static String host(String url) {
    String rest = url.replaceFirst("^https?://", "");
    int colon = rest.lastIndexOf(':');
    return colon < 0 ? rest : rest.substring(0, colon);
  }

  private static Answer ok(String stdout) {
    return new Answer(0, stdout.isEmpty() ? "" : stdout + "\n", "");
  }
}
