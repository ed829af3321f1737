package io.meshorch.sandbox.openstack;

import io.meshorch.sandbox.core.ClusterRef;
import io.meshorch.sandbox.core.SandboxStep;
import io.meshorch.sandbox.core.SideEffect;
import io.meshorch.sandbox.openstack.Http.Request;
import io.meshorch.sandbox.openstack.Http.Response;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Heat's stacks API, with asynchronous status transitions like the real service: the engine creates
 * the ports and servers (in {@code BUILD}) right after the POST; the stack turns {@code
 * CREATE_COMPLETE} once its {@code heat-stack} latency has passed and every server is {@code
 * ACTIVE} (booted after {@code vm-boot}), or {@code CREATE_FAILED} at the end of its latency when a
 * resource could not be created.
 */
final class HeatApi {
  private final SandboxCloud cloud;
  private final Map<String, Stack> stacks = new ConcurrentHashMap<>();
  private final Map<String, DeleteFailure> deleteFailures = new java.util.HashMap<>();

  HeatApi(SandboxCloud cloud) {
    this.cloud = cloud;
  }

  /** One stack and what it created. */
  private static final class Stack {
    final String id = UUID.randomUUID().toString();
    final String name;
    final HeatTemplate template;
    final Map<String, Object> parameters;
    final List<String> tags;
    final int timeoutMins;
    final ClusterRef cluster;
    final Instant created = Instant.now();
    final Map<String, String> physicalIds = new LinkedHashMap<>();
    String status = "CREATE_IN_PROGRESS";
    String reason = "Stack CREATE started";
    Instant updated;
    Instant deleted;
    boolean resourcesCreated;
    boolean latencyOver;
    String failure;

    Stack(
        String name,
        HeatTemplate template,
        Map<String, Object> parameters,
        List<String> tags,
        int timeoutMins) {
      this.name = name;
      this.template = template;
      this.parameters = parameters;
      this.tags = tags;
      this.timeoutMins = timeoutMins;
      this.cluster = ClusterRef.ofStack(name, tags);
    }

    boolean live() {
      return !status.equals("DELETE_COMPLETE");
    }
  }

  List<String> liveStackNames() {
    return stacks.values().stream().filter(Stack::live).map(s -> s.name).sorted().toList();
  }

  Response handle(Request request) {
    List<String> seg = Http.segments(request.path());
    if (seg.size() < 2 || !seg.get(0).equals(cloud.projectId) || !seg.get(1).equals("stacks")) {
      return error(404, "Not Found", "EntityNotFound", "The resource could not be found.");
    }
    String method = request.method();
    if (seg.size() == 2 && method.equals("POST")) {
      return create(request);
    }
    if (seg.size() == 2 && method.equals("GET")) {
      return list(request.query().get("name"));
    }
    Stack stack = find(seg.get(2), seg.size() > 3 ? seg.get(3) : null);
    if (stack == null) {
      return error(
          404, "Not Found", "EntityNotFound", "The Stack (" + seg.get(2) + ") could not be found.");
    }
    String self = stackUrl(stack);
    if (seg.size() == 3 && method.equals("GET")) {
      return Response.json(
              302,
              "Found",
              Http.obj(
                  "message",
                  "The resource was found at <a href=\""
                      + self
                      + "\">"
                      + self
                      + "</a>;\nyou should be redirected automatically.\n\n",
                  "code",
                  "302 Found",
                  "title",
                  "Found"))
          .header("Location", self)
          .header("X-Openstack-Request-Id", Http.requestId());
    }
    if (seg.size() == 4 && method.equals("GET")) {
      return ok(Http.obj("stack", show(stack)));
    }
    if (seg.size() == 4 && method.equals("DELETE")) {
      return delete(stack);
    }
    if (seg.size() == 5 && seg.get(4).equals("resources") && method.equals("GET")) {
      return ok(Http.obj("resources", resources(stack)));
    }
    if (seg.size() == 5 && seg.get(4).equals("outputs") && method.equals("GET")) {
      return ok(Http.obj("outputs", outputs(stack, false)));
    }
    return error(404, "Not Found", "EntityNotFound", "The resource could not be found.");
  }

  @SuppressWarnings("unchecked")
  private Response create(Request request) {
    Map<String, Object> body = request.json();
    String name = (String) body.get("stack_name");
    if (name == null || name.isBlank()) {
      return error(400, "Bad Request", "HTTPBadRequest", "No stack name specified");
    }
    synchronized (stacks) {
      if (stacks.values().stream().anyMatch(s -> s.live() && s.name.equals(name))) {
        return error(409, "Conflict", "StackExists", "The Stack (" + name + ") already exists.");
      }
      HeatTemplate template;
      Map<String, Object> given = (Map<String, Object>) body.getOrDefault("parameters", Map.of());
      try {
        template = HeatTemplate.parse(body.get("template"), given);
      } catch (HeatTemplate.Invalid e) {
        return error(400, "Bad Request", "StackValidationFailed", e.getMessage());
      }
      Object rawTags = body.get("tags");
      List<String> tags =
          rawTags instanceof String s && !s.isBlank()
              ? List.of(s.split(","))
              : rawTags instanceof List<?> l ? l.stream().map(String::valueOf).toList() : List.of();
      int timeout = body.get("timeout_mins") instanceof Number n ? n.intValue() : 60;
      Stack stack = new Stack(name, template, given, tags, timeout);
      stacks.put(stack.id, stack);
      cloud.recorder.count(SideEffect.HEAT_STACK_CREATED, stack.cluster);
      cloud.scheduler.execute(() -> build(stack));
      cloud.scheduler.schedule(
          () -> latencyOver(stack),
          cloud.latency(SandboxStep.HEAT_STACK, stack.cluster).toMillis(),
          TimeUnit.MILLISECONDS);
      return Response.json(
              201,
              "Created",
              Http.obj(
                  "stack",
                  Http.obj(
                      "id",
                      stack.id,
                      "links",
                      List.of(Http.obj("href", stackUrl(stack), "rel", "self")))))
          .header("Location", stackUrl(stack))
          .header("X-Openstack-Request-Id", Http.requestId());
    }
  }

  /** Creates the resources, like Heat's engine does after the POST returned. */
  private void build(Stack stack) {
    synchronized (stack) {
      if (!stack.status.equals("CREATE_IN_PROGRESS")) {
        return;
      }
      try {
        createResources(stack);
      } finally {
        stack.resourcesCreated = true;
        maybeFinish(stack);
      }
    }
  }

  private void latencyOver(Stack stack) {
    synchronized (stack) {
      stack.latencyOver = true;
      maybeFinish(stack);
    }
  }

  /** Called when one of the stack's servers booted (or failed to). */
  void serverBooted(Stack stack) {
    synchronized (stack) {
      maybeFinish(stack);
    }
  }

  /** Completes or fails the stack once its latency passed, its resources exist and servers run. */
  private void maybeFinish(Stack stack) {
    if (!stack.status.equals("CREATE_IN_PROGRESS")
        || !stack.latencyOver
        || !stack.resourcesCreated) {
      return;
    }
    if (stack.failure != null) {
      stack.status = "CREATE_FAILED";
      stack.reason = "Resource CREATE failed: " + stack.failure;
      return;
    }
    List<SandboxServer> servers =
        stack.physicalIds.values().stream()
            .map(cloud.servers::get)
            .filter(java.util.Objects::nonNull)
            .toList();
    for (SandboxServer server : servers) {
      String status = server.status();
      if (status.equals("ERROR")) {
        stack.status = "CREATE_FAILED";
        stack.reason =
            "Resource CREATE failed: ResourceInError: resources."
                + logicalName(stack, server.id)
                + ": Went to status ERROR due to \"Message: Build of instance "
                + server.id
                + " aborted, Code: 500\"";
        return;
      }
      if (!status.equals("ACTIVE")) {
        return;
      }
    }
    stack.status = "CREATE_COMPLETE";
    stack.reason = "Stack CREATE completed successfully";
    cloud.recorder.finished(SandboxStep.HEAT_STACK, stack.cluster, stack.name, Instant.now());
  }

  private static String logicalName(Stack stack, String physicalId) {
    return stack.physicalIds.entrySet().stream()
        .filter(e -> e.getValue().equals(physicalId))
        .map(Map.Entry::getKey)
        .findFirst()
        .orElse(physicalId);
  }

  @SuppressWarnings("unchecked")
  private void createResources(Stack stack) {
    HeatTemplate t = stack.template;
    t.parameters.put("OS::stack_name", stack.name);
    t.parameters.put("OS::stack_id", stack.id);
    t.parameters.put("OS::project_id", cloud.projectId);
    for (String name : t.creationOrder()) {
      Map<String, Object> resource = t.resources.get(name);
      Map<String, Object> props =
          (Map<String, Object>)
              t.resolve(
                  resource.getOrDefault("properties", Map.of()),
                  stack.physicalIds::get,
                  (r, path) -> attribute(stack, r, path));
      String failure =
          switch (String.valueOf(resource.get("type"))) {
            case "OS::Neutron::SecurityGroup" -> createSecurityGroup(stack, name, props);
            case "OS::Neutron::Port" -> createPort(stack, name, props);
            default -> createServer(stack, name, props);
          };
      if (failure != null) {
        stack.failure = failure;
        return;
      }
    }
  }

  /** A group with Neutron's default egress rules plus the template's rules, each checked. */
  private String createSecurityGroup(Stack stack, String name, Map<String, Object> props) {
    SandboxSecurityGroup group =
        new SandboxSecurityGroup(
            props.get("name") == null ? stack.name + "-" + name : String.valueOf(props.get("name")),
            props.get("description") == null ? "" : String.valueOf(props.get("description")),
            cloud.projectId);
    Object rules = props.getOrDefault("rules", List.of());
    int i = 0;
    for (Object rule : rules instanceof List<?> l ? l : List.of()) {
      String refused = rule instanceof Map<?, ?> m ? group.addHeatRule(m) : "rule is not a map";
      if (refused != null) {
        return "BadRequest: resources." + name + ": " + refused + " (rules[" + i + "])";
      }
      i++;
    }
    cloud.securityGroups.put(group.id, group);
    stack.physicalIds.put(name, group.id);
    return null;
  }

  private String createPort(Stack stack, String name, Map<String, Object> props) {
    String network = String.valueOf(props.get("network"));
    if (!network.equals(cloud.config.networkName) && !network.equals(cloud.networkId)) {
      return "NotFound: resources."
          + name
          + ": Unable to find network with name or id '"
          + network
          + "'";
    }
    List<String> groupIds = new ArrayList<>();
    Object groups = props.get("security_groups");
    for (Object g : groups instanceof List<?> l ? l : List.of()) {
      SandboxSecurityGroup group = cloud.findSecurityGroup(String.valueOf(g));
      if (group == null) {
        return "NotFound: resources."
            + name
            + ": Unable to find security_group with name or id '"
            + g
            + "'";
      }
      groupIds.add(group.id);
    }
    if (groupIds.isEmpty()) {
      // Neutron puts a port without groups in the project's default group.
      groupIds.add(cloud.defaultSecurityGroupId());
    }
    SandboxPort port =
        new SandboxPort(
            UUID.randomUUID().toString(),
            props.get("name") == null ? "" : String.valueOf(props.get("name")),
            cloud.networkId,
            cloud.subnetId,
            mac(),
            cloud.addresses.allocate(),
            cloud.projectId,
            stack.cluster);
    port.securityGroupIds = List.copyOf(groupIds);
    cloud.ports.put(port.id, port);
    stack.physicalIds.put(name, port.id);
    return null;
  }

  @SuppressWarnings("unchecked")
  private String createServer(Stack stack, String name, Map<String, Object> props) {
    String keyName = (String) props.get("key_name");
    if (keyName != null && !cloud.keypairs.containsKey(keyName)) {
      return "StackValidationFailed: resources."
          + name
          + ": Property error: "
          + name
          + ".Properties.key_name: Error validating value '"
          + keyName
          + "': The Key ("
          + keyName
          + ") could not be found.";
    }
    SandboxPort port = null;
    for (Object n : (List<Object>) props.getOrDefault("networks", List.of())) {
      Object portId = n instanceof Map<?, ?> m ? m.get("port") : null;
      if (portId != null) {
        port = cloud.ports.get(String.valueOf(portId));
      }
    }
    if (port == null) {
      return "StackValidationFailed: resources."
          + name
          + ": the sandbox needs every server on a port of the stack (networks: [{port: {get_resource: ...}}])";
    }
    String refused = cloud.instanceQuotaRefusal(name);
    if (refused != null) {
      return refused;
    }
    Map<String, String> metadata = new LinkedHashMap<>();
    if (props.get("metadata") instanceof Map<?, ?> m) {
      m.forEach((k, v) -> metadata.put(String.valueOf(k), String.valueOf(v)));
    }
    SandboxServer server =
        new SandboxServer(
            UUID.randomUUID().toString(),
            String.valueOf(props.getOrDefault("name", stack.name + "-" + name)),
            String.valueOf(props.get("image")),
            String.valueOf(props.get("flavor")),
            keyName,
            cloud.config.networkName,
            port,
            metadata,
            cloud.projectId,
            stack.cluster,
            props.get("user_data") == null ? null : String.valueOf(props.get("user_data")));
    port.deviceId = server.id;
    port.deviceOwner = "compute:nova";
    port.status = "ACTIVE";
    cloud.servers.put(server.id, server);
    cloud.recorder.registerNode(port.fixedIp, stack.cluster);
    stack.physicalIds.put(name, server.id);
    cloud.bootLater(server, () -> serverBooted(stack));
    return null;
  }

  private Object attribute(Stack stack, String resource, List<Object> path) {
    String id = stack.physicalIds.get(resource);
    Object value;
    if (id == null) {
      // a failed stack still resolves its outputs: what was never created is empty, as in Heat
      return "";
    } else if (cloud.ports.containsKey(id)) {
      value = cloud.ports.get(id).toJson();
    } else if (cloud.securityGroups.containsKey(id)) {
      value = cloud.securityGroups.get(id).toJson();
    } else if (cloud.servers.containsKey(id)) {
      SandboxServer s = cloud.servers.get(id);
      value =
          Http.obj(
              "first_address",
              s.fixedIp(),
              "name",
              s.name,
              "networks",
              Map.of(s.networkName, List.of(s.fixedIp())));
    } else {
      return null;
    }
    for (Object step : path) {
      if (value instanceof Map<?, ?> m) {
        value = m.get(String.valueOf(step));
      } else if (value instanceof List<?> l
          && step instanceof Number n
          && n.intValue() < l.size()) {
        value = l.get(n.intValue());
      } else {
        return null;
      }
    }
    return value;
  }

  /**
   * Fails the next {@code times} deletes of the stack named {@code name}: each ends {@code
   * DELETE_FAILED} with {@code reason} and leaves every resource in place; a later DELETE works.
   */
  void failDeletes(String name, String reason, int times) {
    deleteFailures.put(name, new DeleteFailure(reason, times));
  }

  private record DeleteFailure(String reason, int left) {}

  private Response delete(Stack stack) {
    synchronized (stack) {
      if (stack.status.equals("DELETE_COMPLETE")) {
        // A deleted stack is still shown by ID, but it cannot be deleted again.
        return error(
            404,
            "Not Found",
            "EntityNotFound",
            "The Stack (" + stack.name + ") could not be found.");
      }
      if (stack.status.equals("DELETE_IN_PROGRESS")) {
        return noContent();
      }
      stack.status = "DELETE_IN_PROGRESS";
      stack.reason = "Stack DELETE started";
      stack.updated = Instant.now();
      cloud.recorder.count(SideEffect.HEAT_STACK_DELETED, stack.cluster);
    }
    String failWith = takeDeleteFailure(stack.name);
    cloud.scheduler.schedule(
        () -> {
          synchronized (stack) {
            if (failWith != null) {
              stack.status = "DELETE_FAILED";
              stack.reason = failWith;
              stack.updated = Instant.now();
              return;
            }
            for (String id : stack.physicalIds.values()) {
              cloud.deleteServer(id);
            }
            stack.physicalIds.values().forEach(cloud.ports::remove);
            stack.physicalIds.values().forEach(cloud.securityGroups::remove);
            stack.status = "DELETE_COMPLETE";
            stack.reason = "Stack DELETE completed successfully";
            stack.deleted = Instant.now();
          }
          cloud.recorder.finished(
              SandboxStep.HEAT_STACK_DELETE, stack.cluster, stack.name, Instant.now());
        },
        cloud.latency(SandboxStep.HEAT_STACK_DELETE, stack.cluster).toMillis(),
        TimeUnit.MILLISECONDS);
    return noContent();
  }

  /** The reason the next delete of {@code name} fails with, or null; counts the failure down. */
  private String takeDeleteFailure(String name) {
    synchronized (deleteFailures) {
      DeleteFailure f = deleteFailures.get(name);
      if (f == null) {
        return null;
      }
      if (f.left() <= 1) {
        deleteFailures.remove(name);
      } else {
        deleteFailures.put(name, new DeleteFailure(f.reason(), f.left() - 1));
      }
      return f.reason();
    }
  }

  private static Response noContent() {
    return new Response(
        204,
        "No Content",
        new LinkedHashMap<>(Map.of("X-Openstack-Request-Id", Http.requestId())),
        null);
  }

  private Stack find(String nameOrId, String id) {
    Collection<Stack> all = stacks.values();
    if (id != null) {
      Stack s = stacks.get(id);
      return s != null && s.name.equals(nameOrId) ? s : null;
    }
    Stack byId = stacks.get(nameOrId);
    if (byId != null) {
      return byId;
    }
    return all.stream().filter(s -> s.live() && s.name.equals(nameOrId)).findFirst().orElse(null);
  }

  private Response list(String name) {
    List<Object> out = new ArrayList<>();
    for (Stack s : stacks.values()) {
      if (s.live() && (name == null || s.name.equals(name))) {
        Map<String, Object> summary = summary(s);
        summary.put("description", "");
        summary.put("tags", null);
        out.add(summary);
      }
    }
    return ok(Http.obj("stacks", out));
  }

  private Map<String, Object> summary(Stack s) {
    synchronized (s) {
      return Http.obj(
          "creation_time", Clock.iso(s.created),
          "deletion_time", Clock.iso(s.deleted),
          "description", s.template.description,
          "id", s.id,
          "links", List.of(Http.obj("href", stackUrl(s), "rel", "self")),
          "parent", null,
          "stack_name", s.name,
          "stack_owner", cloud.config.user,
          "stack_status", s.status,
          "stack_status_reason", s.reason,
          "stack_user_project_id", cloud.projectId,
          "tags", s.tags,
          "updated_time", Clock.iso(s.updated));
    }
  }

  private Map<String, Object> show(Stack s) {
    synchronized (s) {
      Map<String, Object> out = summary(s);
      Map<String, Object> params = new LinkedHashMap<>();
      params.put("OS::stack_id", s.id);
      params.put("OS::project_id", cloud.projectId);
      params.put("OS::stack_name", s.name);
      s.parameters.forEach(params::put);
      out.put("parameters", params);
      out.put("template_description", s.template.description);
      out.put("capabilities", List.of());
      out.put("notification_topics", List.of());
      out.put("disable_rollback", true);
      out.put("timeout_mins", s.timeoutMins);
      if (!s.status.equals("DELETE_COMPLETE")) {
        out.put("outputs", outputs(s, s.status.equals("DELETE_IN_PROGRESS")));
      }
      return out;
    }
  }

  private List<Object> outputs(Stack s, boolean deleting) {
    boolean ready = s.status.equals("CREATE_COMPLETE") || s.status.equals("CREATE_FAILED");
    List<Object> out = new ArrayList<>();
    s.template.outputs.forEach(
        (key, o) -> {
          Map<String, Object> entry =
              Http.obj(
                  "output_key",
                  key,
                  "description",
                  o.getOrDefault("description", "No description given"));
          if (deleting) {
            entry.put("output_value", null);
            entry.put(
                "output_error",
                "The specified reference \"" + key + "\" (in unknown) is incorrect.");
          } else {
            entry.put(
                "output_value",
                ready
                    ? s.template.resolve(
                        o.get("value"), s.physicalIds::get, (r, path) -> attribute(s, r, path))
                    : null);
          }
          out.add(entry);
        });
    return out;
  }

  private List<Object> resources(Stack s) {
    List<Object> out = new ArrayList<>();
    synchronized (s) {
      s.template.resources.forEach(
          (name, r) ->
              out.add(
                  Http.obj(
                      "resource_name",
                      name,
                      "logical_resource_id",
                      name,
                      "physical_resource_id",
                      s.physicalIds.getOrDefault(name, ""),
                      "resource_type",
                      r.get("type"),
                      "resource_status",
                      resourceStatus(s, name),
                      "resource_status_reason",
                      s.physicalIds.containsKey(name) ? "state changed" : s.reason,
                      "updated_time",
                      Clock.iso(s.created),
                      "required_by",
                      List.of())));
    }
    return out;
  }

  private String resourceStatus(Stack s, String name) {
    String id = s.physicalIds.get(name);
    if (id == null) {
      return s.status.equals("CREATE_FAILED") ? "CREATE_FAILED" : "INIT_COMPLETE";
    }
    SandboxServer server = cloud.servers.get(id);
    if (server != null && server.status().equals("BUILD")) {
      return "CREATE_IN_PROGRESS";
    }
    return server != null && server.status().equals("ERROR") ? "CREATE_FAILED" : "CREATE_COMPLETE";
  }

  private String stackUrl(Stack s) {
    return cloud.baseUrl() + "/heat/v1/" + cloud.projectId + "/stacks/" + s.name + "/" + s.id;
  }

  private static Response ok(Object body) {
    return Response.json(200, "OK", body).header("X-Openstack-Request-Id", Http.requestId());
  }

  static Response error(int code, String title, String type, String message) {
    return Response.json(
            code,
            title,
            Http.obj(
                "code",
                code,
                "title",
                title,
                "explanation",
                explanation(code),
                "error",
                Http.obj("type", type, "traceback", null, "message", message)))
        .header("X-Openstack-Request-Id", Http.requestId());
  }

  private static String explanation(int code) {
    return switch (code) {
      case 400 ->
          "The server could not comply with the request since it is either malformed or otherwise incorrect.";
      case 404 -> "The resource could not be found.";
      case 409 -> "There was a conflict when trying to complete your request.";
      default -> "Error";
    };
  }

  private static String mac() {
    java.util.Random r = new java.util.Random();
    return String.format("fa:16:3e:%02x:%02x:%02x", r.nextInt(256), r.nextInt(256), r.nextInt(256));
  }
}
