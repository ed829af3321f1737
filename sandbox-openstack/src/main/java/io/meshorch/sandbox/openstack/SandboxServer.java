package io.meshorch.sandbox.openstack;

import io.meshorch.sandbox.core.ClusterRef;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * A Nova server of the sandbox; its "VM" is an SSH daemon on the port's fixed IP. {@code BUILD}
 * until the VM booted ({@code vm-boot}), then {@code ACTIVE}; {@code ERROR} if it could not boot.
 */
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
  final ClusterRef cluster;
  final String userData;
  final Instant createdAt = Instant.now();
  String status = "BUILD";
  SandboxVm vm;
  Instant cloudInitDone;
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
      String projectId,
      ClusterRef cluster,
      String userData) {
    this.id = id;
    this.name = name;
    this.image = image;
    this.flavor = flavor;
    this.keyName = keyName;
    this.networkName = networkName;
    this.port = port;
    this.metadata = Map.copyOf(metadata);
    this.projectId = projectId;
    this.cluster = cluster;
    this.userData = userData;
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

  /** The mesh cluster the server belongs to (from its stack's name and tags). */
  public ClusterRef cluster() {
    return cluster;
  }

  /** When cloud-init finishes (Docker answers) on the booted VM; empty before boot. */
  public synchronized Optional<Instant> cloudInitDone() {
    return Optional.ofNullable(cloudInitDone);
  }

  /** The SHA-256 fingerprint of the VM's SSH host key, once it booted. */
  public synchronized Optional<String> sshHostKeyFingerprint() {
    return Optional.ofNullable(vm).map(SandboxVm::fingerprint);
  }

  synchronized String console() {
    return console.toString();
  }
}
