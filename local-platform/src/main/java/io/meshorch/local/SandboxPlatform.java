package io.meshorch.local;

import io.meshorch.sandbox.core.SandboxLatencies;
import io.meshorch.sandbox.core.SandboxRecorder;
import io.meshorch.sandbox.kube.MeshReachability;
import io.meshorch.sandbox.kube.RkeStandInScript;
import io.meshorch.sandbox.kube.SandboxKube;
import io.meshorch.sandbox.openstack.SandboxCloud;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The sandbox cloud on its own: OpenStack APIs, SSH daemons as VMs, the {@code rke} stand-in,
 * Kubernetes API servers with kubelet, Cilium and MetalLB controllers, plus the files the services
 * need to use it (clouds.yaml, the keypair's private key, the rke script, a secrets folder). Local
 * mode runs it beside the services; {@code meshctl sandbox} runs it alone for services started
 * elsewhere (separate JVMs, containers), printing {@link #settings}.
 */
public final class SandboxPlatform implements AutoCloseable {
  private static final String KEYPAIR = "mesh";

  /** The five services, in flow order, as their settings are keyed. */
  public static final List<String> SERVICES =
      List.of("infra-service", "rke-service", "cni-service", "lb-service", "mesh-service");

  private final Path dataDir;
  private final SandboxLatencies latencies;
  private final SandboxRecorder recorder = new SandboxRecorder();
  private SandboxCloud cloud;
  private SandboxKube kube;
  private final Map<String, Map<String, String>> settings = new LinkedHashMap<>();

  private SandboxPlatform(Path dataDir, SandboxLatencies latencies) {
    this.dataDir = dataDir.toAbsolutePath();
    this.latencies = latencies;
  }

  /**
   * Starts the sandbox with its files under {@code dataDir} (created when missing), its steps
   * taking {@code latencies}.
   */
  public static SandboxPlatform start(Path dataDir, SandboxLatencies latencies) {
    SandboxPlatform platform = new SandboxPlatform(dataDir, latencies);
    try {
      platform.startSandbox();
      return platform;
    } catch (IOException | RuntimeException e) {
      platform.close();
      throw e instanceof RuntimeException r ? r : new UncheckedIOException((IOException) e);
    }
  }

  private void startSandbox() throws IOException {
    Path secrets = privateDir("secrets");
    SshKeys keys = SshKeys.ensure(privateDir("ssh"));
    String password = randomSecret();
    int vmSshPort = LoopbackPorts.reserve(1).get(0);
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
            .meshReachability(
                // the cloud's network between two clusters' nodes: anti-spoofing and security
                // groups on every node port of the owner (MetalLB layer 2 may move the IP)
                (from, ip, owner) ->
                    vms.virtualIpReachable(
                        from.nodeAddresses(),
                        ip,
                        owner.nodeAddresses(),
                        MeshReachability.MESH_PORT))
            .build();
    kube.start();
    // RKE2 clusters are installed on the VMs over SSH: the VMs answer RKE2's commands.
    cloud.addVmCommands(kube.rke2());
    Path rke = RkeStandInScript.write(privateDir("bin"), kube.rkeControlUrl());
    Path clouds =
        CloudsYaml.write(
            dataDir.resolve("clouds.yaml"),
            "sandbox",
            cloud.identityUrl(),
            "demo",
            password,
            "demo");

    for (String service : SERVICES) {
      Map<String, String> s = new LinkedHashMap<>();
      s.put("mesh.service.secrets-dir", secrets.toString());
      settings.put(service, s);
    }
    settings.get("infra-service").put("mesh.openstack.clouds-file", clouds.toString());
    settings.get("infra-service").put("mesh.openstack.cloud", "sandbox");
    Map<String, String> rkeSettings = settings.get("rke-service");
    rkeSettings.put("mesh.ssh.private-key-path", keys.privateKey().toString());
    rkeSettings.put("mesh.ssh.port", String.valueOf(vmSshPort));
    rkeSettings.put("mesh.rke.executable", rke.toString());
    rkeSettings.put("mesh.rke.work-dir", privateDir("rke").toString());
  }

  /**
   * What {@code service} (one of {@link #SERVICES}) needs to use this sandbox, as Spring
   * properties: the secrets folder shared by all, clouds.yaml for infra-service, the SSH key, VM
   * SSH port, rke executable and work folder for rke-service. Kafka is not part of it.
   */
  public Map<String, String> settings(String service) {
    Map<String, String> s = settings.get(service);
    if (s == null) {
      throw new IllegalArgumentException("no service " + service + "; one of " + SERVICES);
    }
    return Map.copyOf(s);
  }

  /** The sandbox cloud (OpenStack side). */
  public SandboxCloud cloud() {
    return cloud;
  }

  /** The sandbox Kubernetes side. */
  public SandboxKube kube() {
    return kube;
  }

  /** The sandbox's step latencies. */
  public SandboxLatencies latencies() {
    return latencies;
  }

  /** The step log and side-effect counters of the whole sandbox (cloud and Kubernetes). */
  public SandboxRecorder recorder() {
    return recorder;
  }

  /** The folder of the file secret store the services share. */
  public Path secretsDir() {
    return dataDir.resolve("secrets");
  }

  @Override
  public void close() {
    if (kube != null) {
      kube.close();
    }
    if (cloud != null) {
      cloud.close();
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
}
