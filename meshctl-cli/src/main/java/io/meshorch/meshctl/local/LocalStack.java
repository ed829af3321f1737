package io.meshorch.meshctl.local;

import io.meshorch.cni.CniServiceApplication;
import io.meshorch.infra.InfraServiceApplication;
import io.meshorch.lb.LbServiceApplication;
import io.meshorch.mesh.MeshServiceApplication;
import io.meshorch.meshctl.cli.MeshBus;
import io.meshorch.rke.RkeServiceApplication;
import io.meshorch.sandbox.core.SandboxLatencies;
import io.meshorch.sandbox.core.SandboxRecorder;
import io.meshorch.sandbox.kube.RkeStandInScript;
import io.meshorch.sandbox.kube.SandboxCluster;
import io.meshorch.sandbox.kube.SandboxKube;
import io.meshorch.sandbox.openstack.SandboxCloud;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Local mode: an embedded KRaft broker (log kept in the data folder), the sandbox cloud (OpenStack
 * APIs, SSH daemons as VMs, the {@code rke} stand-in, Kubernetes API servers with kubelet, Cilium
 * and MetalLB controllers) and the five services, each in its own Spring context, configured
 * exactly as they would be against a real cloud: only endpoints and files differ.
 *
 * <p>The sandbox's steps take {@link #DEFAULT_LATENCIES} unless other {@link SandboxLatencies} are
 * given (see {@link #latencies(List)}); both sandboxes share one {@link SandboxRecorder}: the step
 * log and side-effect counters of the whole sandbox.
 */
public final class LocalStack implements MeshBus {
  private static final String KEYPAIR = "mesh";

  /** The sandbox's pace in local mode: the fast profile, stacks in 1.5 s, VMs booted in 0.5 s. */
  public static final SandboxLatencies DEFAULT_LATENCIES =
      SandboxLatencies.parse("fast,heat-stack=1.5s,vm-boot=500ms");

  private final Path dataDir;
  private final LocalKafkaBroker broker;
  private final String externalBootstrap;
  private final SandboxLatencies latencies;
  private final SandboxRecorder recorder = new SandboxRecorder();
  private final List<ConfigurableApplicationContext> services = new ArrayList<>();
  private SandboxCloud cloud;
  private SandboxKube kube;

  private LocalStack(Path dataDir, String externalBootstrap, SandboxLatencies latencies) {
    this.dataDir = dataDir.toAbsolutePath();
    this.externalBootstrap = externalBootstrap;
    this.latencies = latencies;
    this.broker =
        externalBootstrap == null ? new LocalKafkaBroker(this.dataDir.resolve("kafka")) : null;
  }

  /**
   * Starts the broker and, with {@code withServices}, the sandbox and the services.
   *
   * @param dataDir the local folder (created when missing)
   */
  public static LocalStack start(Path dataDir, boolean withServices) {
    return start(dataDir, withServices, DEFAULT_LATENCIES);
  }

  /**
   * Starts the broker and, with {@code withServices}, the sandbox (its steps taking {@code
   * latencies}) and the services.
   *
   * @param dataDir the local folder (created when missing)
   */
  public static LocalStack start(Path dataDir, boolean withServices, SandboxLatencies latencies) {
    return start(new LocalStack(dataDir, null, latencies), withServices);
  }

  /**
   * The sandbox and the services against a Kafka cluster that runs elsewhere (a container, a test
   * cluster) instead of the embedded broker.
   */
  public static LocalStack startAgainst(Path dataDir, String bootstrapServers) {
    return startAgainst(dataDir, bootstrapServers, DEFAULT_LATENCIES);
  }

  /** {@link #startAgainst(Path, String)} with the sandbox's steps taking {@code latencies}. */
  public static LocalStack startAgainst(
      Path dataDir, String bootstrapServers, SandboxLatencies latencies) {
    return start(new LocalStack(dataDir, bootstrapServers, latencies), true);
  }

  /**
   * {@link #DEFAULT_LATENCIES} changed by latency specs in order (see {@link SandboxLatencies}): a
   * spec naming a profile replaces the default, one without changes it.
   *
   * @throws IllegalArgumentException naming the first bad token
   */
  public static SandboxLatencies latencies(List<String> specs) {
    SandboxLatencies out = DEFAULT_LATENCIES;
    for (String spec : specs) {
      out = out.with(spec);
    }
    return out;
  }

  private static LocalStack start(LocalStack stack, boolean withServices) {
    // The services' logging (re)starts with each Spring context: send it to this data folder.
    System.setProperty("MESHCTL_LOG_DIR", stack.dataDir.resolve("logs").toString());
    try {
      if (stack.broker != null) {
        stack.broker.start();
      }
      if (withServices) {
        stack.startSandboxAndServices();
      }
      return stack;
    } catch (RuntimeException | IOException e) {
      stack.close();
      throw e instanceof RuntimeException r ? r : new UncheckedIOException((IOException) e);
    }
  }

  private void startSandboxAndServices() throws IOException {
    Path secrets = privateDir("secrets");
    SshKeys keys = SshKeys.ensure(privateDir("ssh"));
    String password = randomSecret();
    int vmSshPort = freePort();
    cloud =
        SandboxCloud.builder()
            .bindAddress("127.0.0.1")
            .port(0)
            .credentials("demo", password, "demo", "Default")
            .latencies(latencies)
            .recorder(recorder)
            .vmSubnet("127.10.0.0/16")
            .vmSshPort(vmSshPort)
            .keypair(KEYPAIR, keys.publicKeyLine())
            .build();
    cloud.start();
    SandboxCloud vms = cloud;
    kube =
        SandboxKube.builder()
            .bindAddress("127.0.0.1")
            .controllerInterval(Duration.ofMillis(200))
            .latencies(latencies)
            .recorder(recorder)
            .meshReachability((from, ip, owner) -> allowedOnEveryNodePort(vms, owner, ip))
            .build();
    kube.start();
    Path rke = RkeStandInScript.write(privateDir("bin"), kube.rkeControlUrl());
    Path clouds =
        CloudsYaml.write(
            dataDir.resolve("clouds.yaml"),
            "sandbox",
            cloud.identityUrl(),
            "demo",
            password,
            "demo");

    Map<String, Object> common = new HashMap<>();
    common.put("spring.kafka.bootstrap-servers", bootstrapServers());
    common.put("mesh.service.secrets-dir", secrets.toString());
    common.put("server.port", "0");
    common.put("spring.main.banner-mode", "off");
    common.put("logging.config", "classpath:logback.xml");

    Map<String, Object> infra = new HashMap<>(common);
    infra.put("mesh.openstack.clouds-file", clouds.toString());
    infra.put("mesh.openstack.cloud", "sandbox");
    Map<String, Object> rkeProps = new HashMap<>(common);
    rkeProps.put("mesh.ssh.private-key-path", keys.privateKey().toString());
    rkeProps.put("mesh.ssh.port", String.valueOf(vmSshPort));
    rkeProps.put("mesh.rke.executable", rke.toString());
    rkeProps.put("mesh.rke.work-dir", privateDir("rke").toString());

    start(InfraServiceApplication.class, InfraServiceApplication.CONFIG_NAME, infra);
    start(RkeServiceApplication.class, RkeServiceApplication.CONFIG_NAME, rkeProps);
    start(CniServiceApplication.class, CniServiceApplication.CONFIG_NAME, common);
    start(LbServiceApplication.class, LbServiceApplication.CONFIG_NAME, common);
    start(MeshServiceApplication.class, MeshServiceApplication.CONFIG_NAME, common);
  }

  private void start(Class<?> application, String configName, Map<String, Object> properties) {
    // Command-line arguments, not default properties: they must win over the service's own
    // <name>.yml, exactly as an operator's --name=value or environment would.
    String[] args =
        properties.entrySet().stream()
            .map(e -> "--" + e.getKey() + "=" + e.getValue())
            .toArray(String[]::new);
    services.add(
        new SpringApplicationBuilder(application)
            .properties("spring.config.name=" + configName)
            .run(args));
  }

  /**
   * OpenStack's anti-spoofing as the sandbox models it: a mesh endpoint answers only once every
   * node port of the cluster that owns it allows its IP (MetalLB layer 2 may move the IP to any
   * node), which is what infra-service's PortsUpdated step is for.
   */
  private static boolean allowedOnEveryNodePort(
      SandboxCloud cloud, SandboxCluster owner, String ip) {
    List<String> nodeIps =
        owner.client().nodes().list().getItems().stream()
            .flatMap(n -> n.getStatus().getAddresses().stream())
            .filter(a -> a.getType().equals("InternalIP"))
            .map(a -> a.getAddress())
            .toList();
    return !nodeIps.isEmpty()
        && nodeIps.stream()
            .allMatch(
                nodeIp ->
                    cloud.portsWithFixedIp(nodeIp).stream()
                        .anyMatch(
                            port ->
                                port.allowedAddressPairs().stream()
                                    .anyMatch(pair -> ip.equals(pair.get("ip_address")))));
  }

  @Override
  public String bootstrapServers() {
    return broker != null ? broker.bootstrapServers() : externalBootstrap;
  }

  /** The sandbox cloud (null when started without services); for tests and diagnostics. */
  public SandboxCloud cloud() {
    return cloud;
  }

  /** The sandbox Kubernetes side (null when started without services). */
  public SandboxKube kube() {
    return kube;
  }

  /** The sandbox's step latencies. */
  public SandboxLatencies latencies() {
    return latencies;
  }

  /**
   * The step log and side-effect counters of the whole sandbox (cloud and Kubernetes), e.g. for a
   * benchmark or a restart test.
   */
  public SandboxRecorder recorder() {
    return recorder;
  }

  /** The folder of the file secret store the services share. */
  public Path secretsDir() {
    return dataDir.resolve("secrets");
  }

  @Override
  public void close() {
    for (int i = services.size() - 1; i >= 0; i--) {
      services.get(i).close();
    }
    services.clear();
    if (kube != null) {
      kube.close();
    }
    if (cloud != null) {
      cloud.close();
    }
    if (broker != null) {
      broker.close();
    }
  }

  private Path privateDir(String name) throws IOException {
    Path dir = dataDir.resolve(name);
    Files.createDirectories(dir);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    return dir;
  }

  private static String randomSecret() {
    byte[] bytes = new byte[24];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress("127.0.0.1", 0));
      return socket.getLocalPort();
    }
  }
}
