package io.meshorch.sandbox.openstack;

import io.meshorch.sandbox.core.ClusterRef;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A Neutron port of the sandbox; mutable under the cloud's lock. */
public final class SandboxPort {
  final String id;
  final String name;
  final String networkId;
  final String subnetId;
  final String macAddress;
  final String fixedIp;
  final String projectId;
  final ClusterRef cluster;
  final Instant createdAt;
  String deviceId = "";
  String deviceOwner = "";
  String status = "DOWN";
  String description = "";
  boolean adminStateUp = true;
  boolean portSecurityEnabled = true;
  int revision = 1;
  Instant updatedAt;
  List<Map<String, String>> allowedAddressPairs = new ArrayList<>();
  List<String> securityGroupIds = List.of();

  SandboxPort(
      String id,
      String name,
      String networkId,
      String subnetId,
      String macAddress,
      String fixedIp,
      String projectId,
      ClusterRef cluster) {
    this.id = id;
    this.name = name;
    this.networkId = networkId;
    this.subnetId = subnetId;
    this.macAddress = macAddress;
    this.fixedIp = fixedIp;
    this.projectId = projectId;
    this.cluster = cluster;
    this.createdAt = Instant.now();
    this.updatedAt = createdAt;
  }

  public String id() {
    return id;
  }

  public String fixedIp() {
    return fixedIp;
  }

  /** The mesh cluster the port belongs to (from its stack's name and tags). */
  public ClusterRef cluster() {
    return cluster;
  }

  /** The IDs of the port's security groups. */
  public synchronized List<String> securityGroupIds() {
    return List.copyOf(securityGroupIds);
  }

  /** Whether one of the allowed-address-pairs (an address or a CIDR) covers {@code ip}. */
  public synchronized boolean pairCovers(String ip) {
    return allowedAddressPairs.stream()
        .anyMatch(pair -> SandboxSecurityGroup.contains(pair.get("ip_address"), ip));
  }

  /** False when port security is off: no anti-spoofing, no security group filtering. */
  public synchronized boolean portSecurityEnabled() {
    return portSecurityEnabled;
  }

  public synchronized String deviceId() {
    return deviceId;
  }

  /**
   * The allowed-address-pairs as Neutron returns them ({@code ip_address}, {@code mac_address}).
   */
  public synchronized List<Map<String, String>> allowedAddressPairs() {
    return List.copyOf(allowedAddressPairs);
  }

  synchronized Map<String, Object> toJson() {
    return Http.obj(
        "id", id,
        "name", name,
        "network_id", networkId,
        "tenant_id", projectId,
        "mac_address", macAddress,
        "admin_state_up", adminStateUp,
        "status", status,
        "device_id", deviceId,
        "device_owner", deviceOwner,
        "fixed_ips", List.of(Http.obj("subnet_id", subnetId, "ip_address", fixedIp)),
        "project_id", projectId,
        "port_security_enabled", portSecurityEnabled,
        "security_groups", List.copyOf(securityGroupIds),
        "allowed_address_pairs", List.copyOf(allowedAddressPairs),
        "binding:vnic_type", "normal",
        "description", description,
        "tags", List.of(),
        "created_at", Clock.iso(createdAt),
        "updated_at", Clock.iso(updatedAt),
        "revision_number", revision);
  }
}
