package io.meshorch.sandbox.openstack;

import io.meshorch.sandbox.openstack.Http.Request;
import io.meshorch.sandbox.openstack.Http.Response;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Nova's servers API (compute 2.1): show, list, delete and the console output action. */
final class NovaApi {
  private final SandboxCloud cloud;

  NovaApi(SandboxCloud cloud) {
    this.cloud = cloud;
  }

  Response handle(Request request) {
    List<String> seg = Http.segments(request.path());
    if (seg.size() >= 2
        && seg.get(0).equals("servers")
        && seg.get(1).equals("detail")
        && request.method().equals("GET")) {
      String name = request.query().get("name");
      List<Object> out = new ArrayList<>();
      cloud.servers.values().stream()
          .filter(s -> name == null || s.name.matches(name))
          .forEach(s -> out.add(show(s)));
      return nova(200, "OK", Http.obj("servers", out));
    }
    if (seg.size() >= 2 && seg.get(0).equals("servers")) {
      SandboxServer server = cloud.servers.get(seg.get(1));
      if (server == null) {
        return nova(
                404,
                "Not Found",
                Http.obj(
                    "itemNotFound",
                    Http.obj(
                        "code", 404, "message", "Instance " + seg.get(1) + " could not be found.")))
            .header("Content-Type", "application/json; charset=UTF-8");
      }
      if (seg.size() == 2 && request.method().equals("GET")) {
        return nova(200, "OK", Http.obj("server", show(server)));
      }
      if (seg.size() == 2 && request.method().equals("DELETE")) {
        cloud.deleteServer(server.id);
        return nova(204, "No Content", null);
      }
      if (seg.size() == 3 && seg.get(2).equals("action") && request.method().equals("POST")) {
        Map<String, Object> body = request.json();
        if (body.get("os-getConsoleOutput") instanceof Map<?, ?> args) {
          return nova(200, "OK", Http.obj("output", tail(server.console(), args.get("length"))));
        }
        return nova(
            400,
            "Bad Request",
            Http.obj(
                "badRequest",
                Http.obj("code", 400, "message", "There is no such action: " + body.keySet())));
      }
    }
    return nova(
        404,
        "Not Found",
        Http.obj(
            "itemNotFound", Http.obj("code", 404, "message", "The resource could not be found.")));
  }

  private static String tail(String console, Object length) {
    if (!(length instanceof Number n) || n.intValue() < 0) {
      return console;
    }
    List<String> lines = console.lines().toList();
    return String.join("\n", lines.subList(Math.max(0, lines.size() - n.intValue()), lines.size()))
        + (lines.isEmpty() ? "" : "\n");
  }

  private Map<String, Object> show(SandboxServer s) {
    String self = cloud.baseUrl() + "/nova/v2.1/servers/" + s.id;
    Map<String, Object> addresses = new LinkedHashMap<>();
    addresses.put(
        s.networkName,
        List.of(
            Http.obj(
                "version",
                4,
                "addr",
                s.fixedIp(),
                "OS-EXT-IPS:type",
                "fixed",
                "OS-EXT-IPS-MAC:mac_addr",
                s.port.macAddress)));
    return Http.obj(
        "id",
        s.id,
        "name",
        s.name,
        "status",
        s.status(),
        "tenant_id",
        s.projectId,
        "user_id",
        cloud.userId,
        "metadata",
        s.metadata,
        "hostId",
        "",
        "image",
        Http.obj("id", s.image),
        "flavor",
        Http.obj("id", s.flavor),
        "created",
        Clock.iso(s.createdAt),
        "updated",
        Clock.iso(s.createdAt),
        "addresses",
        addresses,
        "accessIPv4",
        "",
        "accessIPv6",
        "",
        "links",
        List.of(Http.obj("rel", "self", "href", self)),
        "OS-DCF:diskConfig",
        "MANUAL",
        "key_name",
        s.keyName,
        "OS-EXT-STS:task_state",
        null,
        "OS-EXT-STS:vm_state",
        s.status().equals("ACTIVE") ? "active" : "building",
        "OS-EXT-STS:power_state",
        s.status().equals("ACTIVE") ? 1 : 0,
        "security_groups",
        List.of(Http.obj("name", "default")));
  }

  private static Response nova(int status, String reason, Object body) {
    String id = Http.requestId();
    return Response.json(status, reason, body)
        .header("Openstack-Api-Version", "compute 2.1")
        .header("X-Openstack-Nova-Api-Version", "2.1")
        .header("Vary", "OpenStack-API-Version")
        .header("X-Openstack-Request-Id", id)
        .header("X-Compute-Request-Id", id);
  }
}
