package io.meshorch.sandbox.openstack;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/** A Nova server of the sandbox; its "VM" is an SSH daemon on the port's fixed IP. */
public final class SandboxServer {
  final String id;
  final String name;
  final String image;
  final String flavor;
  final String keyName;
  final String networkName;
  final SandboxPort port;
  final Map<String, String> metadata;
  final String projectId;
  final Instant createdAt = Instant.now();
  String status = "BUILD";
  SandboxVm vm;
  final StringBuilder console = new StringBuilder();

  SandboxServer(
      String id,
      String name,
      String image,
      String flavor,
      String keyName,
      String networkName,
      SandboxPort port,
      Map<String, String> metadata,
      String projectId) {
    this.id = id;
    this.name = name;
    this.image = image;
    this.flavor = flavor;
    this.keyName = keyName;
    this.networkName = networkName;
    this.port = port;
    this.metadata = Map.copyOf(metadata);
    this.projectId = projectId;
  }

  public String id() {
    return id;
  }

  public String name() {
    return name;
  }

  public String fixedIp() {
    return port.fixedIp;
  }

  public synchronized String status() {
    return status;
  }

  /** The SHA-256 fingerprint of the VM's SSH host key, once it booted. */
  public synchronized Optional<String> sshHostKeyFingerprint() {
    return Optional.ofNullable(vm).map(SandboxVm::fingerprint);
  }

  synchronized String console() {
    return console.toString();
  }
}
