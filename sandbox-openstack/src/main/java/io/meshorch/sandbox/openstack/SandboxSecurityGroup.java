package io.meshorch.sandbox.openstack;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BiPredicate;
import java.util.regex.Pattern;

/**
 * A Neutron security group of the sandbox with its rules, as {@code GET /v2.0/security-groups/{id}}
 * shows it. Every group starts with Neutron's two default egress rules (IPv4 and IPv6, any
 * protocol); Heat's {@code OS::Neutron::SecurityGroup} keeps them when its template lists no egress
 * rule.
 */
public final class SandboxSecurityGroup {
  private static final Pattern CIDR =
      Pattern.compile(
          "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}/(3[0-2]|[12]?\\d)");

  /** Protocols a rule may name by number. */
  private static final Map<String, String> PROTOCOL_NUMBERS =
      Map.of("1", "icmp", "6", "tcp", "17", "udp");

  final String id = UUID.randomUUID().toString();
  final String name;
  final String description;
  final String projectId;
  final Instant createdAt = Instant.now();
  final List<Map<String, Object>> rules = new ArrayList<>();

  SandboxSecurityGroup(String name, String description, String projectId) {
    this.name = name;
    this.description = description;
    this.projectId = projectId;
    for (String ethertype : List.of("IPv4", "IPv6")) {
      rules.add(rule("egress", ethertype, null, null, null, null, null));
    }
  }

  public String id() {
    return id;
  }

  public String name() {
    return name;
  }

  /** The rules as Neutron shows them (default egress rules included). */
  public synchronized List<Map<String, Object>> rules() {
    return List.copyOf(rules);
  }

  /**
   * Whether a rule of this group lets an IPv4 packet pass, as Neutron's filter decides for a port
   * in the group: a rule matches its direction, its protocol (none: any), its port range (none:
   * every port) and its remote side, a prefix that holds {@code remoteIp}, a group of which {@code
   * remoteIp} is a member ({@code member.test(groupId, ip)}), or neither (anyone). No rule, no
   * passage: a group denies what it does not allow.
   *
   * @param direction {@code ingress} (remoteIp is the source) or {@code egress} (the destination)
   * @param protocol {@code tcp}, {@code udp} or {@code icmp}
   * @param port the destination port (ignored for ICMP)
   */
  boolean allows(
      String direction,
      String protocol,
      int port,
      String remoteIp,
      BiPredicate<String, String> member) {
    // Rules naming a group last: their membership test looks at the cloud's ports.
    List<String> groups = new ArrayList<>();
    for (Map<String, Object> rule : rules()) {
      if (!direction.equals(rule.get("direction")) || !"IPv4".equals(rule.get("ethertype"))) {
        continue;
      }
      Object ruleProtocol = rule.get("protocol");
      if (ruleProtocol != null
          && !protocol.equals(ruleProtocol)
          && !protocol.equals(PROTOCOL_NUMBERS.get(String.valueOf(ruleProtocol)))) {
        continue;
      }
      if (!"icmp".equals(protocol)
          && rule.get("port_range_min") instanceof Integer min
          && (port < min
              || port > (rule.get("port_range_max") instanceof Integer max ? max : min))) {
        continue;
      }
      Object prefix = rule.get("remote_ip_prefix");
      Object group = rule.get("remote_group_id");
      if (prefix != null && !contains(String.valueOf(prefix), remoteIp)) {
        continue;
      }
      if (group == null) {
        return true;
      }
      groups.add(String.valueOf(group));
    }
    return groups.stream().anyMatch(group -> member.test(group, remoteIp));
  }

  /** Whether {@code ip} (IPv4) is {@code cidrOrIp} or inside it. */
  static boolean contains(String cidrOrIp, String ip) {
    int slash = cidrOrIp.indexOf('/');
    int bits = slash < 0 ? 32 : Integer.parseInt(cidrOrIp.substring(slash + 1));
    long mask = bits == 0 ? 0 : (0xFFFFFFFFL << (32 - bits)) & 0xFFFFFFFFL;
    return (ipv4(slash < 0 ? cidrOrIp : cidrOrIp.substring(0, slash)) & mask) == (ipv4(ip) & mask);
  }

  private static long ipv4(String address) {
    String[] parts = address.split("\\.");
    if (parts.length != 4) {
      throw new IllegalArgumentException("not an IPv4 address: " + address);
    }
    long value = 0;
    for (String part : parts) {
      value = (value << 8) | Integer.parseInt(part);
    }
    return value;
  }

  /**
   * Adds a rule from a Heat rule property, checked as Neutron checks it.
   *
   * @return null when added, else Neutron's refusal
   */
  synchronized String addHeatRule(Map<?, ?> rule) {
    String direction = str(rule.get("direction"), "ingress");
    String ethertype = str(rule.get("ethertype"), "IPv4");
    String protocol = str(rule.get("protocol"), null);
    Integer min = rule.get("port_range_min") instanceof Number n ? n.intValue() : null;
    Integer max = rule.get("port_range_max") instanceof Number n ? n.intValue() : null;
    String mode = str(rule.get("remote_mode"), "remote_ip_prefix");
    String prefix = str(rule.get("remote_ip_prefix"), null);
    if (!direction.equals("ingress") && !direction.equals("egress")) {
      return "Invalid input for direction. Reason: " + direction + " is not in valid_values.";
    }
    if (protocol != null
        && !List.of("tcp", "udp", "icmp", "icmpv6", "sctp").contains(protocol)
        && !protocol.matches("\\d{1,3}")) {
      return "Security group rule protocol " + protocol + " not supported.";
    }
    if ((min != null || max != null)
        && (protocol == null || !List.of("tcp", "udp", "sctp").contains(protocol))
        && !"icmp".equals(protocol)) {
      return "Must also specify protocol if port range is given.";
    }
    if (min != null && max != null && ("tcp".equals(protocol) || "udp".equals(protocol))) {
      if (min < 1 || max > 65535 || min > max) {
        return "For TCP/UDP protocols, port_range_min must be <= port_range_max";
      }
    }
    String remoteGroup = null;
    if (mode.equals("remote_group_id")) {
      remoteGroup = str(rule.get("remote_group_id"), id);
      prefix = null;
    } else if (prefix != null && !CIDR.matcher(prefix).matches()) {
      return "Invalid input for remote_ip_prefix. Reason: '"
          + prefix
          + "' is not a valid IP subnet.";
    }
    rules.add(rule(direction, ethertype, protocol, min, max, prefix, remoteGroup));
    return null;
  }

  private Map<String, Object> rule(
      String direction,
      String ethertype,
      String protocol,
      Integer min,
      Integer max,
      String prefix,
      String remoteGroup) {
    return Http.obj(
        "id", UUID.randomUUID().toString(),
        "security_group_id", id,
        "direction", direction,
        "ethertype", ethertype,
        "protocol", protocol,
        "port_range_min", min,
        "port_range_max", max,
        "remote_ip_prefix", prefix,
        "remote_group_id", remoteGroup,
        "tenant_id", projectId,
        "project_id", projectId,
        "description", "",
        "created_at", Clock.iso(createdAt),
        "updated_at", Clock.iso(createdAt),
        "revision_number", 0);
  }

  synchronized Map<String, Object> toJson() {
    return Http.obj(
        "id",
        id,
        "name",
        name,
        "description",
        description,
        "security_group_rules",
        List.copyOf(rules),
        "stateful",
        true,
        "tenant_id",
        projectId,
        "project_id",
        projectId,
        "tags",
        List.of(),
        "created_at",
        Clock.iso(createdAt),
        "updated_at",
        Clock.iso(createdAt),
        "revision_number",
        1);
  }

  private static String str(Object value, String otherwise) {
    return value == null ? otherwise : String.valueOf(value);
  }
}
