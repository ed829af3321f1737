package io.meshorch.rke.domain;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The shell commands the RKE2 deployer runs on a node over SSH, and how their answers read. Every
 * value that reaches a command line is checked against a strict pattern first (versions, paths,
 * URLs) or travels base64-encoded (the config file), so no value can change the command.
 */
public final class Rke2Commands {
  /** An RKE2 release, as its install script and GitHub releases name it. */
  public static final Pattern VERSION = Pattern.compile("v\\d+\\.\\d+\\.\\d+\\+rke2r\\d+");

  private static final Pattern SAFE_PATH = Pattern.compile("/[A-Za-z0-9._/-]*");
  private static final Pattern SAFE_URL = Pattern.compile("https?://[A-Za-z0-9._:/-]+");
  private static final Pattern VERSION_LINE = Pattern.compile("^rke2 version (v\\S+)");
  private static final Pattern LOG_MESSAGE =
      Pattern.compile("level=(error|fatal) msg=\"((?:[^\"\\\\]|\\\\.)*)\"");

  /** {@code rke2 --version}: the installed release, or nothing (exit 127). */
  public static final String VERSION_PROBE = "rke2 --version";

  /** Every node name the API server knows, as {@code node/<name>} lines. */
  public static final String REGISTERED_NODES =
      "sudo /var/lib/rancher/rke2/bin/kubectl --kubeconfig /etc/rancher/rke2/rke2.yaml get nodes"
          + " -o name";

  /** The admin kubeconfig RKE2 writes on the server (pointing at 127.0.0.1). */
  public static final String READ_KUBECONFIG = "sudo cat /etc/rancher/rke2/rke2.yaml";

  private Rke2Commands() {}

  /** The systemd unit of a node: {@code rke2-server} on the first, {@code rke2-agent} else. */
  public static String unit(int index) {
    return index == 0 ? "rke2-server" : "rke2-agent";
  }

  /** The install type ({@code INSTALL_RKE2_TYPE}) of a node. */
  public static String type(int index) {
    return index == 0 ? "server" : "agent";
  }

  /** {@code systemctl is-active <unit>}: prints active, activating, inactive or failed. */
  public static String isActive(String unit) {
    return "systemctl is-active " + unit;
  }

  /**
   * Writes {@code text} to {@link Rke2Config#PATH} (folder and file readable by root only) unless
   * it holds that text already; prints {@code changed} or {@code unchanged}.
   */
  public static String writeConfig(String text) {
    String b64 = Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    String path = Rke2Config.PATH;
    return "sudo sh -c 'umask 077 && mkdir -p /etc/rancher/rke2 && echo "
        + b64
        + " | base64 -d > "
        + path
        + ".new && if cmp -s "
        + path
        + ".new "
        + path
        + "; then rm "
        + path
        + ".new && echo unchanged; else mv "
        + path
        + ".new "
        + path
        + " && echo changed; fi'";
  }

  /**
   * Installs RKE2 {@code version} as {@code type}: with the install script from {@code scriptUrl},
   * or, when {@code artifactPath} is given, from the air-gap artifacts there (its {@code
   * install.sh}, tarball and checksums, as RKE2's air-gap guide lays them out).
   *
   * @throws InvalidPlanException when a value does not have its safe form
   */
  public static String install(
      String version, String type, String scriptUrl, Optional<String> artifactPath) {
    if (version == null || !VERSION.matcher(version).matches()) {
      throw new InvalidPlanException(
          "the RKE2 version must look like v1.30.4+rke2r1, found '" + version + "'");
    }
    String env = "INSTALL_RKE2_VERSION=" + version + " INSTALL_RKE2_TYPE=" + type;
    if (artifactPath.isPresent()) {
      String dir = artifactPath.get();
      if (!SAFE_PATH.matcher(dir).matches()) {
        throw new InvalidPlanException(
            "mesh.rke2.artifact-path must be an absolute path of letters, digits and ._/-,"
                + " found '"
                + dir
                + "'");
      }
      return "sudo INSTALL_RKE2_ARTIFACT_PATH=" + dir + " " + env + " sh " + dir + "/install.sh";
    }
    if (scriptUrl == null || !SAFE_URL.matcher(scriptUrl).matches()) {
      throw new InvalidPlanException(
          "mesh.rke2.install-script-url must be an http(s) URL, found '" + scriptUrl + "'");
    }
    return "curl -sfL " + scriptUrl + " | sudo " + env + " sh -";
  }

  /**
   * Enables {@code unit} and (re)starts it without waiting for it to be ready ({@code --no-block}:
   * RKE2's units report ready only once the node runs, which takes minutes; the deployer looks
   * again instead of holding an SSH session).
   */
  public static String start(String unit) {
    return "sudo systemctl enable " + unit + " && sudo systemctl --no-block restart " + unit;
  }

  /** The last lines of {@code unit}'s journal, messages only. */
  public static String journal(String unit) {
    return "sudo journalctl -u " + unit + " -n 20 --no-pager -o cat";
  }

  /** The version in {@code rke2 --version}'s answer, or empty when RKE2 is not installed. */
  public static Optional<String> installedVersion(CommandResult answer) {
    if (!answer.succeeded()) {
      return Optional.empty();
    }
    for (String line : answer.stdout().split("\n")) {
      Matcher m = VERSION_LINE.matcher(line.strip());
      if (m.find()) {
        return Optional.of(m.group(1));
      }
    }
    return Optional.empty();
  }

  /** The first word of {@code systemctl is-active}'s answer ({@code unknown} when empty). */
  public static String unitState(CommandResult answer) {
    String state = answer.stdout().strip();
    return state.isEmpty() ? "unknown" : state.split("\\s+")[0];
  }

  /** The node names in {@link #REGISTERED_NODES}' answer. */
  public static Set<String> registeredNodes(CommandResult answer) {
    Set<String> names = new LinkedHashSet<>();
    for (String line : answer.stdout().split("\n")) {
      String l = line.strip();
      if (l.startsWith("node/")) {
        names.add(l.substring("node/".length()));
      }
    }
    return names;
  }

  /**
   * The messages of the error and fatal lines of a journal, oldest first, with {@code secret} (the
   * join token) blanked should RKE2 ever print it.
   */
  public static List<String> errors(CommandResult journal, String secret) {
    List<String> out = new ArrayList<>();
    for (String line : journal.stdout().split("\n")) {
      Matcher m = LOG_MESSAGE.matcher(line);
      if (m.find()) {
        String msg = m.group(2).replace("\\\"", "\"");
        out.add(secret == null || secret.isEmpty() ? msg : msg.replace(secret, "<token>"));
      }
    }
    return out;
  }

  /** True when a journal error says the server refused the agent's token. */
  public static boolean tokenRejected(String error) {
    return error.contains("401 Unauthorized");
  }
}
