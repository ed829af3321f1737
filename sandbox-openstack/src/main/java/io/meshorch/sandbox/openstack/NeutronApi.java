package io.meshorch.sandbox.openstack;

import io.meshorch.sandbox.core.SideEffect;
import io.meshorch.sandbox.openstack.Http.Request;
import io.meshorch.sandbox.openstack.Http.Response;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Neutron's API (v2.0) as far as the product uses it: ports (with their read-only attributes and
 * the 10-pair limit), networks, subnets, security groups, extensions.
 */
final class NeutronApi {
  static final int MAX_ALLOWED_ADDRESS_PAIRS = 10;
  private static final Set<String> READ_ONLY =
      Set.of(
          "created_at",
          "updated_at",
          "revision_number",
          "id",
          "tenant_id",
          "project_id",
          "status",
          "network_id",
          "tags");
  private static final Set<String> FORBIDDEN = Set.of("mac_address", "binding:host_id");
  private static final Set<String> UPDATABLE =
      Set.of(
          "name",
          "admin_state_up",
          "device_id",
          "device_owner",
          "security_groups",
          "port_security_enabled",
          "description",
          "binding:vnic_type",
          "extra_dhcp_opts",
          "fixed_ips",
          "allowed_address_pairs");
  private static final Pattern IPV4 =
      Pattern.compile(
          "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}(/(3[0-2]|[12]?\\d))?");

  private final SandboxCloud cloud;

  NeutronApi(SandboxCloud cloud) {
    this.cloud = cloud;
  }

  Response handle(Request request) {
    List<String> seg = Http.segments(request.path());
    if (seg.size() >= 2 && seg.get(0).equals("v2.0")) {
      String collection = seg.get(1).replace(".json", "");
      if (collection.equals("ports") && seg.size() == 2 && request.method().equals("GET")) {
        return ok(Http.obj("ports", listPorts(request.query())));
      }
      if (collection.equals("ports") && seg.size() == 3) {
        SandboxPort port = cloud.ports.get(seg.get(2));
        if (port == null) {
          return error(
              404, "Not Found", "PortNotFound", "Port " + seg.get(2) + " could not be found.");
        }
        if (request.method().equals("GET")) {
          return ok(Http.obj("port", port.toJson()));
        }
        if (request.method().equals("PUT")) {
          return update(port, request.json(), request.ifMatch());
        }
      }
      if (collection.equals("security-groups") && request.method().equals("GET")) {
        if (seg.size() == 2) {
          String name = request.query().get("name");
          List<Object> groups = new ArrayList<>();
          cloud.securityGroups.values().stream()
              .filter(g -> name == null || g.name.equals(name))
              .forEach(g -> groups.add(g.toJson()));
          return ok(Http.obj("security_groups", groups));
        }
        SandboxSecurityGroup group = cloud.securityGroups.get(seg.get(2));
        if (group == null) {
          return error(
              404,
              "Not Found",
              "SecurityGroupNotFound",
              "Security group " + seg.get(2) + " does not exist");
        }
        return ok(Http.obj("security_group", group.toJson()));
      }
      if (collection.equals("subnets") && seg.size() == 3 && request.method().equals("GET")) {
        if (!seg.get(2).equals(cloud.subnetId)) {
          return error(
              404, "Not Found", "SubnetNotFound", "Subnet " + seg.get(2) + " could not be found.");
        }
        return ok(Http.obj("subnet", subnet()));
      }
      if (collection.equals("networks") && seg.size() == 3 && request.method().equals("GET")) {
        if (!seg.get(2).equals(cloud.networkId)) {
          return error(
              404,
              "Not Found",
              "NetworkNotFound",
              "Network " + seg.get(2) + " could not be found.");
        }
        return ok(Http.obj("network", network()));
      }
      if (collection.equals("networks") && seg.size() == 2) {
        String name = request.query().get("name");
        List<Object> nets = new ArrayList<>();
        if (name == null || name.equals(cloud.config.networkName)) {
          nets.add(network());
        }
        return ok(Http.obj("networks", nets));
      }
      if (collection.equals("extensions")) {
        return ok(
            Http.obj(
                "extensions",
                List.of(
                    Http.obj(
                        "name",
                        "Allowed Address Pairs",
                        "alias",
                        "allowed-address-pairs",
                        "description",
                        "Provides allowed address pairs",
                        "updated",
                        "2013-07-23T10:00:00-00:00",
                        "links",
                        List.of()),
                    Http.obj(
                        "name",
                        "Port Security",
                        "alias",
                        "port-security",
                        "description",
                        "Provides port security",
                        "updated",
                        "2012-07-23T10:00:00-00:00",
                        "links",
                        List.of()))));
      }
    }
    return error(404, "Not Found", "HTTPNotFound", "The resource could not be found.");
  }

  private Map<String, Object> network() {
    return Http.obj(
        "id",
        cloud.networkId,
        "name",
        cloud.config.networkName,
        "status",
        "ACTIVE",
        "subnets",
        List.of(cloud.subnetId),
        "admin_state_up",
        true,
        "tenant_id",
        cloud.projectId,
        "project_id",
        cloud.projectId,
        "port_security_enabled",
        true);
  }

  /** The one subnet of the sandbox's network: the VM subnet the fixed IPs come from. */
  private Map<String, Object> subnet() {
    return Http.obj(
        "id",
        cloud.subnetId,
        "name",
        cloud.config.networkName + "-subnet",
        "network_id",
        cloud.networkId,
        "ip_version",
        4,
        "cidr",
        cloud.config.vmSubnet,
        "enable_dhcp",
        true,
        "tenant_id",
        cloud.projectId,
        "project_id",
        cloud.projectId);
  }

  private List<Object> listPorts(Map<String, String> query) {
    List<Object> out = new ArrayList<>();
    for (SandboxPort port : cloud.ports.values()) {
      Map<String, Object> json = port.toJson();
      boolean match =
          query.entrySet().stream()
              .filter(e -> Set.of("device_id", "network_id", "name", "id").contains(e.getKey()))
              .allMatch(e -> e.getValue().equals(String.valueOf(json.get(e.getKey()))));
      if (match) {
        out.add(json);
      }
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private Response update(SandboxPort port, Map<String, Object> body, String ifMatch) {
    if (!(body.get("port") instanceof Map<?, ?> raw)) {
      return error(400, "Bad Request", "HTTPBadRequest", "Resource body required");
    }
    Map<String, Object> changes = (Map<String, Object>) raw;
    List<String> unknown = new ArrayList<>();
    for (String key : changes.keySet()) {
      if (READ_ONLY.contains(key)) {
        return error(
            400,
            "Bad Request",
            "HTTPBadRequest",
            "Cannot update read-only attribute " + (key.equals("project_id") ? "tenant_id" : key));
      }
      if (FORBIDDEN.contains(key)) {
        return error(
            403,
            "Forbidden",
            "PolicyNotAuthorized",
            "(rule:update_port and rule:update_port:" + key + ") is disallowed by policy");
      }
      if (!UPDATABLE.contains(key)) {
        unknown.add(key);
      }
    }
    if (!unknown.isEmpty()) {
      return error(
          400,
          "Bad Request",
          "HTTPBadRequest",
          "Unrecognized attribute(s) '" + String.join(", ", unknown) + "'");
    }
    List<Map<String, String>> pairs = null;
    if (changes.containsKey("allowed_address_pairs")) {
      pairs = new ArrayList<>();
      for (Object item : (List<Object>) changes.get("allowed_address_pairs")) {
        Map<String, Object> pair = (Map<String, Object>) item;
        String ip = String.valueOf(pair.get("ip_address"));
        if (!IPV4.matcher(ip).matches()) {
          return error(
              400,
              "Bad Request",
              "HTTPBadRequest",
              "Invalid input for allowed_address_pairs. Reason: '"
                  + ip
                  + "' is not a valid IP address.");
        }
        Map<String, String> stored = new LinkedHashMap<>();
        stored.put(
            "mac_address",
            pair.get("mac_address") == null
                ? port.macAddress
                : String.valueOf(pair.get("mac_address")));
        stored.put("ip_address", ip);
        pairs.add(stored);
      }
      if (pairs.size() > MAX_ALLOWED_ADDRESS_PAIRS) {
        return error(
            400,
            "Bad Request",
            "AllowedAddressPairExhausted",
            "The number of allowed address pair exceeds the maximum "
                + MAX_ALLOWED_ADDRESS_PAIRS
                + ".");
      }
    }
    synchronized (port) {
      // Neutron's revision-if-match extension: a compare-and-swap on the revision the writer read.
      Integer constrained = revisionConstraint(ifMatch);
      if (constrained != null && constrained != port.revision) {
        return error(
            412,
            "Precondition Failed",
            "RevisionNumberConstraintFailed",
            "Constrained to " + constrained + ", but current revision is " + port.revision);
      }
      if (pairs != null) {
        if (!new HashSet<>(pairs).equals(new HashSet<>(port.allowedAddressPairs))) {
          cloud.recorder.count(SideEffect.PORT_PAIRS_CHANGED, port.cluster);
        }
        port.allowedAddressPairs = pairs;
      }
      if (changes.get("description") instanceof String d) {
        port.description = d;
      }
      if (changes.get("port_security_enabled") instanceof Boolean b) {
        port.portSecurityEnabled = b;
      }
      port.revision++;
      port.updatedAt = Instant.now();
      return ok(Http.obj("port", port.toJson()));
    }
  }

  /**
   * The revision an {@code If-Match: revision_number=<n>} header constrains the update to, or null
   * when there is no such constraint (Neutron ignores If-Match values of other forms).
   */
  private static Integer revisionConstraint(String ifMatch) {
    if (ifMatch == null) {
      return null;
    }
    for (String value : ifMatch.split(",")) {
      String v = value.strip();
      if (v.startsWith("revision_number=")) {
        try {
          return Integer.valueOf(v.substring("revision_number=".length()));
        } catch (NumberFormatException e) {
          return null;
        }
      }
    }
    return null;
  }

  private static Response ok(Object body) {
    return Response.json(200, "OK", body).header("X-Openstack-Request-Id", Http.requestId());
  }

  private static Response error(int code, String title, String type, String message) {
    return Response.json(
            code,
            title,
            Http.obj("NeutronError", Http.obj("type", type, "message", message, "detail", "")))
        .header("X-Openstack-Request-Id", Http.requestId());
  }
}
