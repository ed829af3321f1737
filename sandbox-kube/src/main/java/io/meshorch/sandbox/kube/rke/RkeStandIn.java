package io.meshorch.sandbox.kube.rke;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The sandbox's {@code rke}: the command line of RKE1 for {@code --version}, {@code up} and {@code
 * remove}, the same files ({@code kube_config_cluster.yml}, {@code cluster.rkestate}, both 0600
 * since they hold admin credentials) and exit codes; the cluster comes up in the running sandbox
 * instead of on the nodes.
 *
 * <p>Uses only the JDK (it is one class, copied next to the script by {@code RkeStandInScript}), so
 * it starts fast and does not depend on the class path of whoever started the sandbox. The control
 * endpoint comes from {@code --control URL} (the script passes it) or the environment variable
 * {@code MESH_SANDBOX_RKE_URL}.
 */
public final class RkeStandIn {
  /** What {@code rke --version} prints after {@code rke version }. */
  public static final String VERSION = "v1.8.6-sandbox";

  /** The environment variable naming the sandbox's RKE control endpoint. */
  public static final String CONTROL_ENV = "MESH_SANDBOX_RKE_URL";

  /** The request header carrying the absolute directory of cluster.yml. */
  public static final String DIR_HEADER = "X-Rke-Config-Dir";

  /**
   * The request header carrying when this run of {@code rke} began (ISO-8601): the process's start,
   * so that a run lasts its latency from there, as a real {@code rke} binary's run does, and not
   * the stand-in JVM's start-up more.
   */
  public static final String STARTED_HEADER = "X-Rke-Started-At";

  private RkeStandIn() {}

  /** Runs like {@code rke} and exits with its exit code. */
  public static void main(String[] args) {
    System.exit(run(args, System.out, System.getenv(CONTROL_ENV), started()));
  }

  /**
   * When this process began, to the kernel's tick (10 ms): its start in ticks since boot ({@code
   * /proc/self/stat}) against the time since boot ({@code /proc/uptime}). The JVM's own answer
   * ({@code ProcessHandle}, the fallback off Linux) adds the ticks to a boot time in whole seconds,
   * and comes out up to a second early.
   */
  static Instant started() {
    try {
      Instant now = Instant.now();
      double uptime = Double.parseDouble(Files.readString(Path.of("/proc/uptime")).split(" ")[0]);
      String stat = Files.readString(Path.of("/proc/self/stat"));
      // the fields after the command name (in parentheses, which may hold spaces) start at the
      // third; the 22nd is the start in clock ticks (USER_HZ, 100 on Linux)
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      double startedAfterBoot = Long.parseLong(fields[22 - 3]) / 100.0;
      return now.minusMillis(Math.max(0, Math.round((uptime - startedAfterBoot) * 1000)));
    } catch (IOException | RuntimeException e) {
      return ProcessHandle.current().info().startInstant().orElseGet(Instant::now);
    }
  }

  /** {@link #run(String[], PrintStream, String, Instant)} of a run that begins now. */
  public static int run(String[] args, PrintStream out, String defaultControl) {
    return run(args, out, defaultControl, Instant.now());
  }

  /**
   * Runs like {@code rke} and returns its exit code.
   *
   * @param args the command line
   * @param out where the rke-style log lines go
   * @param defaultControl the control URL when {@code --control} is not given (may be null)
   * @param started when the run began (the process's start)
   */
  public static int run(String[] args, PrintStream out, String defaultControl, Instant started) {
    String control = defaultControl;
    String command = null;
    boolean force = false;
    Path config = Path.of("cluster.yml");
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--control") && i + 1 < args.length) {
        control = args[++i];
      } else if (a.equals("--version") || a.equals("-v")) {
        out.println("rke version " + VERSION);
        return 0;
      } else if (a.equals("--config") && i + 1 < args.length) {
        config = Path.of(args[++i]);
      } else if (a.startsWith("--config=")) {
        config = Path.of(a.substring("--config=".length()));
      } else if (a.equals("--force")) {
        force = true;
      } else if (!a.startsWith("-") && command == null) {
        command = a;
      }
    }
    if (command == null || !(command.equals("up") || command.equals("remove"))) {
      out.println("FATA[0000] usage: rke [--version] up|remove [--config cluster.yml] [--force]");
      return 1;
    }
    if (control == null || control.isBlank()) {
      out.println("FATA[0000] no sandbox RKE endpoint: set " + CONTROL_ENV);
      return 1;
    }
    out.println("INFO[0000] Running RKE version: " + VERSION);
    Path file = config.toAbsolutePath().normalize();
    try {
      String yml = Files.readString(file, StandardCharsets.UTF_8);
      if (command.equals("remove") && !force && !confirmed(out)) {
        out.println("FATA[0000] Cluster removal aborted");
        return 1;
      }
      if (command.equals("up")) {
        out.println("INFO[0000] Initiating Kubernetes cluster");
      } else {
        out.println("INFO[0000] Tearing down Kubernetes cluster");
      }
      // The answer's status and body (no class of its own: this file is the whole stand-in).
      Map.Entry<Integer, String> response = post(control, command, file.getParent(), yml, started);
      if (response.getKey() != 200) {
        // RKE's own lines (WARN[…] per failed host, then FATA[…]) as they are; else one FATA.
        for (String line : response.getValue().strip().split("\n")) {
          out.println(line.matches("^(INFO|WARN|ERRO|FATA)\\[.*") ? line : "FATA[0000] " + line);
        }
        return 1;
      }
      if (command.equals("up")) {
        out.println("INFO[0003] Building Kubernetes cluster");
        writePrivate(file.resolveSibling("kube_config_cluster.yml"), response.getValue());
        writePrivate(file.resolveSibling("cluster.rkestate"), rkeState(kubernetesVersion(yml)));
        out.println("INFO[0005] Finished building Kubernetes cluster successfully");
      } else {
        Files.deleteIfExists(file.resolveSibling("kube_config_cluster.yml"));
        Files.deleteIfExists(file.resolveSibling("cluster.rkestate"));
        out.println("INFO[0001] Cluster removed successfully");
      }
      return 0;
    } catch (NoSuchFileException e) {
      out.println("FATA[0000] Failed to resolve cluster file: open " + file + ": no such file");
      return 1;
    } catch (IOException e) {
      out.println("FATA[0000] " + e.getMessage());
      return 1;
    }
  }

  /**
   * POSTs cluster.yml to the sandbox. {@link HttpURLConnection}, not {@code java.net.http}: this
   * process lives for one call, and the HTTP client's start-up (about 0.6 s of CPU here, ten times
   * the rest of the run) would make sixteen parallel {@code rke up} cost seconds of a small
   * machine's CPU that a real {@code rke} binary does not.
   */
  private static Map.Entry<Integer, String> post(
      String control, String command, Path dir, String yml, Instant started) throws IOException {
    String base = control.endsWith("/") ? control.substring(0, control.length() - 1) : control;
    HttpURLConnection http =
        (HttpURLConnection) URI.create(base + "/" + command).toURL().openConnection();
    try {
      http.setRequestMethod("POST");
      http.setConnectTimeout(10_000);
      // The sandbox answers when the run's latency has passed (minutes on a realistic profile);
      // whoever runs rke bounds it, as it would a real rke.
      http.setReadTimeout((int) Duration.ofDays(1).toMillis());
      http.setDoOutput(true);
      http.setRequestProperty("Content-Type", "application/yaml");
      http.setRequestProperty(
          DIR_HEADER, URLEncoder.encode(dir.toString(), StandardCharsets.UTF_8));
      http.setRequestProperty(STARTED_HEADER, started.toString());
      byte[] body = yml.getBytes(StandardCharsets.UTF_8);
      http.setFixedLengthStreamingMode(body.length);
      try (OutputStream os = http.getOutputStream()) {
        os.write(body);
      }
      int status = http.getResponseCode();
      InputStream in = status < 400 ? http.getInputStream() : http.getErrorStream();
      String text = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return Map.entry(status, text);
    } finally {
      http.disconnect();
    }
  }

  private static boolean confirmed(PrintStream out) throws IOException {
    out.print("Are you sure you want to remove Kubernetes cluster [y/n]: ");
    out.flush();
    String answer =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
    return answer != null && answer.strip().equalsIgnoreCase("y");
  }

  /**
   * The Kubernetes version this stand-in deploys when cluster.yml pins none, as a real {@code rke}
   * release has a default of its own.
   */
  public static final String DEFAULT_KUBERNETES_VERSION = "v1.32.5-rancher1-1";

  private static final Pattern KUBERNETES_VERSION =
      Pattern.compile("(?m)^kubernetes_version:\\s*[\"']?([^\"'\\s#]+)[\"']?\\s*(#.*)?$");

  /** cluster.yml's {@code kubernetes_version}, or the default when it has none. */
  static String kubernetesVersion(String yml) {
    Matcher m = KUBERNETES_VERSION.matcher(yml);
    return m.find() ? m.group(1) : DEFAULT_KUBERNETES_VERSION;
  }

  /**
   * A state file shaped like RKE's: {@code desiredState.certificatesBundle} with a generated (fake)
   * CA key and admin token, and {@code currentState.rkeConfig.kubernetesVersion} naming the version
   * deployed (the default resolved, as RKE writes it).
   */
  private static String rkeState(String kubernetesVersion) {
    SecureRandom random = new SecureRandom();
    byte[] key = new byte[32];
    byte[] token = new byte[24];
    random.nextBytes(key);
    random.nextBytes(token);
    Base64.Encoder b64 = Base64.getEncoder();
    return "{\"desiredState\":{\"certificatesBundle\":{\"kube-ca\":{\"keyPEM\":\""
        + b64.encodeToString(key)
        + "\"},\"kube-admin\":{\"token\":\""
        + Base64.getUrlEncoder().withoutPadding().encodeToString(token)
        + "\"}}},\"currentState\":{\"rkeConfig\":{\"kubernetesVersion\":\""
        + kubernetesVersion
        + "\"}}}\n";
  }

  private static void writePrivate(Path path, String text) throws IOException {
    Files.deleteIfExists(path);
    Files.createFile(
        path, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(path, text, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
  }
}
