package io.meshorch.sandbox.openstack;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.meshorch.sandbox.core.ClusterRef;
import io.meshorch.sandbox.core.SandboxLatencies;
import io.meshorch.sandbox.core.SandboxRecorder;
import io.meshorch.sandbox.core.SandboxStep;
import io.meshorch.sandbox.core.SideEffectCounters;
import io.meshorch.sandbox.core.StepLog;
import io.meshorch.sandbox.core.VmCommands;
import io.meshorch.sandbox.openstack.Http.Request;
import io.meshorch.sandbox.openstack.Http.Response;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.common.config.keys.AuthorizedKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stand-in for an OpenStack cloud at the protocol level: Keystone v3, Heat, Neutron and Nova over
 * HTTP, answering as the transcripts in {@code shared/openstack-api/} show real OpenStack Zed does,
 * with state (stacks, servers, ports, pairs). Each server boots a "VM": an SSH daemon on its fixed
 * (loopback) IP whose host-key fingerprint appears on the server console, as cloud-init prints it.
 *
 * <p>The external steps take the durations of its {@link SandboxLatencies} ({@code heat-stack},
 * {@code vm-boot}, {@code ssh-ready}, per cluster if targeted); when each finished goes to the
 * {@linkplain #stepLog() step log}, and the stacks it created and the allowed-address-pair changes
 * to the {@linkplain #counters() counters}. Both may be shared with the Kubernetes sandbox through
 * one {@link SandboxRecorder}.
 */
public final class SandboxCloud implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SandboxCloud.class);

  final Builder config;
  final String projectId = UUID.randomUUID().toString().replace("-", "");
  final String userId = UUID.randomUUID().toString().replace("-", "");
  final String networkId = UUID.randomUUID().toString();
  final String subnetId = UUID.randomUUID().toString();
  final Map<String, Instant> tokens = new ConcurrentHashMap<>();

  /** Application credentials of the user in the project, by ID. */
  final Map<String, ApplicationCredential> applicationCredentials = new LinkedHashMap<>();

  final Map<String, SandboxPort> ports = new ConcurrentHashMap<>();
  final Map<String, SandboxServer> servers = new ConcurrentHashMap<>();
  private volatile int instanceQuota;
  private volatile ApiRateLimit rateLimit;

  /** The service types this cloud serves, in its catalog. */
  public static final List<String> SERVICE_TYPES =
      List.of("identity", "orchestration", "network", "compute");

  private final Map<String, ApiRateLimit> serviceLimits = new ConcurrentHashMap<>();
  final Map<String, SandboxSecurityGroup> securityGroups = new ConcurrentHashMap<>();
  final Map<String, PublicKey> keypairs = new LinkedHashMap<>();
  final Map<String, String> keypairLines = new LinkedHashMap<>();
  final AddressPool addresses;
  final SandboxLatencies latencies;
  final SandboxRecorder recorder;
  private final SharedSshIo sshIo = new SharedSshIo();
  private final List<VmCommands> vmCommands = new java.util.concurrent.CopyOnWriteArrayList<>();
  final ScheduledExecutorService scheduler =
      Executors.newScheduledThreadPool(
          4,
          r -> {
            Thread t = new Thread(r, "sandbox-cloud");
            t.setDaemon(true);
            return t;
          });

  /** The most recent requests, bounded: a benchmark's polling must not grow it without end. */
  static final int REQUESTS_KEPT = 100_000;

  private final java.util.ArrayDeque<RequestRecord> requests = new java.util.ArrayDeque<>();
  private HttpServer http;
  private SandboxTls tls;
  private final HeatApi heat = new HeatApi(this);
  private final NeutronApi neutron = new NeutronApi(this);
  private final NovaApi nova = new NovaApi(this);

  private SandboxCloud(Builder config) {
    this.config = config;
    this.addresses = new AddressPool(config.vmSubnet);
    this.latencies = config.effectiveLatencies();
    this.recorder = config.recorder;
    this.instanceQuota = config.instanceQuota;
    this.rateLimit = config.rateLimit;
    SandboxSecurityGroup defaultGroup =
        new SandboxSecurityGroup("default", "Default security group", projectId);
    for (String ethertype : List.of("IPv4", "IPv6")) {
      defaultGroup.addHeatRule(Map.of("ethertype", ethertype, "remote_mode", "remote_group_id"));
    }
    securityGroups.put(defaultGroup.id, defaultGroup);
    for (String name : config.securityGroups) {
      SandboxSecurityGroup group = new SandboxSecurityGroup(name, "", projectId);
      securityGroups.put(group.id, group);
    }
    config.applicationCredentials.forEach(
        (name, secret) -> {
          String id = UUID.randomUUID().toString().replace("-", "");
          applicationCredentials.put(id, new ApplicationCredential(id, name, secret));
        });
    config.keypairs.forEach(
        (name, line) -> {
          try {
            keypairs.put(
                name,
                AuthorizedKeyEntry.parseAuthorizedKeyEntry(line)
                    .resolvePublicKey(null, PublicKeyEntryResolver.FAILING));
            keypairLines.put(name, line);
          } catch (IOException | java.security.GeneralSecurityException e) {
            throw new IllegalArgumentException(
                "keypair " + name + " is not an OpenSSH public key", e);
          }
        });
  }

  public static Builder builder() {
    return new Builder();
  }

  /** An application credential: its secret, owned by the cloud's user, scoped to its project. */
  record ApplicationCredential(String id, String name, String secret) {}

  /** A mutating or reading call the sandbox served (or refused), when it came, for tests. */
  public record RequestRecord(String method, String path, int status, Instant at) {}

  /** Starts the HTTP server. */
  public SandboxCloud start() {
    try {
      InetSocketAddress address = new InetSocketAddress(config.bindAddress, config.port);
      if (config.https) {
        tls = SandboxTls.issue(config.bindAddress);
        HttpsServer https = HttpsServer.create(address, 64);
        https.setHttpsConfigurator(new HttpsConfigurator(tls.serverContext()));
        http = https;
      } else {
        http = HttpServer.create(address, 64);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot bind the sandbox cloud", e);
    }
    http.setExecutor(
        Executors.newFixedThreadPool(
            8,
            r -> {
              Thread t = new Thread(r, "sandbox-cloud-http");
              t.setDaemon(true);
              return t;
            }));
    http.createContext("/identity/v3", ex -> serve(ex, "/identity/v3", "identity", this::keystone));
    http.createContext(
        "/heat/v1", ex -> serve(ex, "/heat/v1", "orchestration", authenticated(heat::handle)));
    http.createContext(
        "/neutron", ex -> serve(ex, "/neutron", "network", authenticated(neutron::handle)));
    http.createContext(
        "/nova/v2.1", ex -> serve(ex, "/nova/v2.1", "compute", authenticated(nova::handle)));
    http.start();
    log.info("sandbox cloud listening on {}; latencies {}", baseUrl(), latencies.describe());
    return this;
  }

  private interface Api {
    Response handle(Request request);
  }

  private void serve(
      com.sun.net.httpserver.HttpExchange exchange, String prefix, String serviceType, Api api)
      throws IOException {
    Instant at = Instant.now();
    Response response;
    try {
      Request request = Http.read(exchange, prefix);
      response =
          refusedByRateLimit(rateLimit)
              .or(() -> refusedByRateLimit(serviceLimits.get(serviceType)))
              .orElseGet(() -> api.handle(request));
    } catch (Http.BadJson e) {
      response =
          Response.json(
              400,
              "Bad Request",
              Http.obj(
                  "error",
                  Http.obj(
                      "code",
                      400,
                      "title",
                      "Bad Request",
                      "message",
                      "Malformed request body: " + e.getMessage())));
    } catch (RuntimeException e) {
      log.error(
          "sandbox cloud failed on {} {}",
          exchange.getRequestMethod(),
          exchange.getRequestURI(),
          e);
      response =
          Response.json(
              500,
              "Internal Server Error",
              Http.obj("error", Http.obj("code", 500, "message", e.toString())));
    }
    synchronized (requests) {
      if (requests.size() == REQUESTS_KEPT) {
        requests.removeFirst();
      }
      requests.addLast(
          new RequestRecord(
              exchange.getRequestMethod(),
              exchange.getRequestURI().getPath(),
              response.status(),
              at));
    }
    Http.write(exchange, response);
  }

  /**
   * A 429 when {@code limit} is spent, as a cloud's front end answers (HAProxy's page; {@code
   * Retry-After} in whole seconds until the next request would pass, as operators add it).
   */
  private static Optional<Response> refusedByRateLimit(ApiRateLimit limit) {
    if (limit == null) {
      return Optional.empty();
    }
    Duration wait = limit.take();
    if (wait.isZero()) {
      return Optional.empty();
    }
    long seconds = Math.max(1, (wait.toMillis() + 999) / 1000);
    return Optional.of(
        new Response(
                429,
                "Too Many Requests",
                new LinkedHashMap<>(),
                "<html><body><h1>429 Too Many Requests</h1>\nYou have sent too many requests in a"
                    + " given amount of time.\n</body></html>\n")
            .header("Content-Type", "text/html")
            .header("Cache-Control", "no-cache")
            .header("Retry-After", Long.toString(seconds)));
  }

  /**
   * Puts a rate limit on the project's API requests, all services together, as a cloud's API front
   * end does: at most {@code burst} at once, refilled at {@code requestsPerSecond}; a request over
   * it is answered 429 with {@code Retry-After}. {@code requestsPerSecond} 0 lifts it.
   */
  public void rateLimit(double requestsPerSecond, int burst) {
    this.rateLimit = requestsPerSecond == 0 ? null : new ApiRateLimit(requestsPerSecond, burst);
  }

  /**
   * Puts a rate limit on the project's requests to one service ({@code identity}, {@code
   * orchestration}, {@code network} or {@code compute}), as a rate-limit middleware in that
   * service's API pipeline does, besides the project's limit over all services ({@link
   * #rateLimit(double, int)}); answered alike. {@code requestsPerSecond} 0 lifts it.
   */
  public void rateLimit(String serviceType, double requestsPerSecond, int burst) {
    if (!SERVICE_TYPES.contains(serviceType)) {
      throw new IllegalArgumentException(
          "the sandbox cloud serves " + SERVICE_TYPES + ", not '" + serviceType + "'");
    }
    if (requestsPerSecond == 0) {
      serviceLimits.remove(serviceType);
    } else {
      serviceLimits.put(serviceType, new ApiRateLimit(requestsPerSecond, burst));
    }
  }

  private Api authenticated(Api api) {
    return request -> {
      Instant expiry = request.token() == null ? null : tokens.get(request.token());
      if (expiry == null || expiry.isBefore(Instant.now())) {
        return Response.json(
                401,
                "Unauthorized",
                Http.obj(
                    "error",
                    Http.obj(
                        "code",
                        401,
                        "title",
                        "Unauthorized",
                        "message",
                        "The request you have made requires authentication.")))
            .header("Www-Authenticate", "Keystone uri=\"" + baseUrl() + "/identity\"")
            .header("X-Openstack-Request-Id", Http.requestId());
      }
      return api.handle(request);
    };
  }

  private Response keystone(Request request) {
    if (!request.method().equals("POST") || !request.path().equals("/auth/tokens")) {
      return Response.json(
          404,
          "NOT FOUND",
          Http.obj(
              "error",
              Http.obj(
                  "code",
                  404,
                  "message",
                  "The resource could not be found.",
                  "title",
                  "Not Found")));
    }
    Map<String, Object> body = request.json();
    Object methods = Json.at(body, "auth", "identity", "methods");
    if (methods instanceof List<?> list && list.contains("application_credential")) {
      return applicationCredentialToken(body);
    }
    String user = Json.str(body, "auth", "identity", "password", "user", "name");
    String password = Json.str(body, "auth", "identity", "password", "user", "password");
    String project = Json.str(body, "auth", "scope", "project", "name");
    String projectById = Json.str(body, "auth", "scope", "project", "id");
    boolean projectOk = config.project.equals(project) || projectId.equals(projectById);
    if (!config.user.equals(user) || !config.password.equals(password) || !projectOk) {
      return unauthorized();
    }
    return token(List.of("password"), null);
  }

  /**
   * Keystone's application-credential method: the credential by ID, or by name with its owner (user
   * ID, or name and domain); the right secret; and no scope, since the credential carries its
   * project (Keystone refuses a scope here). Every refusal is Keystone's plain 401.
   */
  private Response applicationCredentialToken(Map<String, Object> body) {
    if (Json.at(body, "auth", "scope") != null) {
      return unauthorized();
    }
    String[] ac = {"auth", "identity", "application_credential"};
    String id = Json.str(body, concat(ac, "id"));
    String name = Json.str(body, concat(ac, "name"));
    String secret = Json.str(body, concat(ac, "secret"));
    ApplicationCredential found = null;
    if (id != null) {
      found = applicationCredentials.get(id);
    } else if (name != null && ownerMatches(body, ac)) {
      found =
          applicationCredentials.values().stream()
              .filter(c -> c.name().equals(name))
              .findFirst()
              .orElse(null);
    }
    if (found == null || !found.secret().equals(secret)) {
      return unauthorized();
    }
    return token(
        List.of("application_credential"),
        Http.obj("id", found.id(), "name", found.name(), "restricted", true));
  }

  private boolean ownerMatches(Map<String, Object> body, String[] ac) {
    String ownerId = Json.str(body, concat(ac, "user", "id"));
    if (ownerId != null) {
      return ownerId.equals(userId);
    }
    String ownerName = Json.str(body, concat(ac, "user", "name"));
    String domainName = Json.str(body, concat(ac, "user", "domain", "name"));
    String domainId = Json.str(body, concat(ac, "user", "domain", "id"));
    boolean domainOk = config.domain.equals(domainName) || "default".equals(domainId);
    return config.user.equals(ownerName) && domainOk;
  }

  private static String[] concat(String[] head, String... tail) {
    String[] out = java.util.Arrays.copyOf(head, head.length + tail.length);
    System.arraycopy(tail, 0, out, head.length, tail.length);
    return out;
  }

  private Response unauthorized() {
    return Response.json(
            401,
            "UNAUTHORIZED",
            Http.obj(
                "error",
                Http.obj(
                    "code",
                    401,
                    "message",
                    "The request you have made requires authentication.",
                    "title",
                    "Unauthorized")))
        .header("WWW-Authenticate", "Keystone uri=\"" + baseUrl() + "/identity/v3\"")
        .header("x-openstack-request-id", Http.requestId());
  }

  private Response token(List<String> methods, Map<String, Object> applicationCredential) {
    String token =
        UUID.randomUUID().toString().replace("-", "")
            + UUID.randomUUID().toString().replace("-", "");
    Instant issued = Instant.now();
    Instant expires = issued.plus(Duration.ofHours(4));
    tokens.put(token, expires);
    Map<String, Object> domain = Http.obj("id", "default", "name", config.domain);
    Map<String, Object> tokenBody =
        Http.obj(
            "methods", methods,
            "user",
                Http.obj(
                    "domain",
                    domain,
                    "id",
                    userId,
                    "name",
                    config.user,
                    "password_expires_at",
                    null),
            "audit_ids", List.of(UUID.randomUUID().toString().substring(0, 22)),
            "expires_at", Clock.keystone(expires),
            "issued_at", Clock.keystone(issued),
            "project", Http.obj("domain", domain, "id", projectId, "name", config.project),
            "is_domain", false,
            "roles",
                List.of(
                    Http.obj("id", "r-member", "name", "member"),
                    Http.obj("id", "r-reader", "name", "reader"),
                    Http.obj("id", "r-heat", "name", "heat_stack_owner")),
            "catalog", catalog());
    if (applicationCredential != null) {
      tokenBody.put("application_credential", applicationCredential);
    }
    return Response.json(201, "CREATED", Http.obj("token", tokenBody))
        .header("X-Subject-Token", token)
        .header("Vary", "X-Auth-Token")
        .header("x-openstack-request-id", Http.requestId());
  }

  private List<Object> catalog() {
    List<Object> entries = new ArrayList<>();
    entries.add(service("identity", "keystone", baseUrl() + "/identity/v3/"));
    entries.add(service("orchestration", "heat", baseUrl() + "/heat/v1/" + projectId));
    entries.add(service("network", "neutron", baseUrl() + "/neutron"));
    entries.add(service("compute", "nova", baseUrl() + "/nova/v2.1"));
    return entries;
  }

  private static Map<String, Object> service(String type, String name, String url) {
    List<Object> endpoints = new ArrayList<>();
    for (String iface : List.of("public", "internal", "admin")) {
      endpoints.add(
          Http.obj(
              "id",
              UUID.randomUUID().toString().replace("-", ""),
              "interface",
              iface,
              "region_id",
              "RegionOne",
              "url",
              url,
              "region",
              "RegionOne"));
    }
    return Http.obj(
        "endpoints",
        endpoints,
        "id",
        UUID.randomUUID().toString().replace("-", ""),
        "type",
        type,
        "name",
        name);
  }

  /** {@code http://host:port} of the sandbox ({@code https://} when built with {@code https()}). */
  public String baseUrl() {
    return (config.https ? "https://" : "http://")
        + config.bindAddress
        + ":"
        + http.getAddress().getPort();
  }

  /**
   * The PEM of the private CA that issued the HTTPS certificate (a clouds.yaml {@code cacert}).
   *
   * @throws IllegalStateException when the cloud serves plain HTTP or is not started
   */
  public String caCertificatePem() {
    if (tls == null) {
      throw new IllegalStateException(
          "the sandbox cloud serves HTTPS only when built with https()");
    }
    return tls.caPem();
  }

  /** The ID of the application credential {@code name} (made by the builder). */
  public String applicationCredentialId(String name) {
    return applicationCredentials.values().stream()
        .filter(c -> c.name().equals(name))
        .map(ApplicationCredential::id)
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no application credential " + name));
  }

  /** The ID of the cloud's user (the owner of its application credentials). */
  public String userId() {
    return userId;
  }

  /** The Keystone v3 URL to authenticate against (a clouds.yaml {@code auth_url}). */
  public String identityUrl() {
    return baseUrl() + "/identity/v3";
  }

  /** Names of the live stacks (not deleted). */
  public List<String> stackNames() {
    return heat.liveStackNames();
  }

  /**
   * Makes the next {@code times} deletes of stack {@code name} fail as Heat's do: the stack turns
   * {@code DELETE_FAILED} with {@code reason} as its {@code stack_status_reason} and keeps its
   * servers and ports; the delete after those works.
   */
  public void failStackDeletes(String name, String reason, int times) {
    heat.failDeletes(name, reason, times);
  }

  /** Sets the project's quota of instances (-1: unlimited), as an operator raises it. */
  public void instanceQuota(int instances) {
    this.instanceQuota = instances;
  }

  /**
   * Nova's refusal of one more instance when the project's quota is used up, as Heat reports it for
   * server {@code resource}; null when the instance fits.
   */
  String instanceQuotaRefusal(String resource) {
    int quota = instanceQuota;
    int used = servers.size();
    if (quota < 0 || used < quota) {
      return null;
    }
    return "Forbidden: resources."
        + resource
        + ": Quota exceeded for instances: Requested 1, but already used "
        + used
        + " of "
        + quota
        + " instances (HTTP 403) (Request-ID: req-"
        + UUID.randomUUID()
        + ")";
  }

  /** A port by ID. */
  public Optional<SandboxPort> findPort(String portId) {
    return Optional.ofNullable(ports.get(portId));
  }

  /** The ports whose fixed IP is {@code address} (a node's InternalIP). */
  public List<SandboxPort> portsWithFixedIp(String address) {
    return ports.values().stream().filter(p -> p.fixedIp().equals(address)).toList();
  }

  /**
   * Whether TCP connections from each of {@code sourceIps} reach {@code ip} on {@code port}, an
   * address that any of the ports whose fixed IPs are {@code targetIps} may answer for (as MetalLB
   * layer 2 moves a LoadBalancer IP between nodes): on every such port, anti-spoofing lets the
   * address in (an allowed address pair of the port, or port security off) and the security groups
   * let the connections through ({@link #securityGroupsAllow}). False when no port has one of the
   * target IPs.
   */
  public boolean virtualIpReachable(
      Collection<String> sourceIps, String ip, Collection<String> targetIps, int port) {
    List<SandboxPort> targets =
        targetIps.stream().flatMap(t -> portsWithFixedIp(t).stream()).toList();
    return !targets.isEmpty()
        && targets.stream()
            .allMatch(
                target ->
                    (!target.portSecurityEnabled() || target.pairCovers(ip))
                        && sourceIps.stream()
                            .allMatch(
                                source -> securityGroupsAllow(source, ip, target, "tcp", port)));
  }

  /**
   * Whether Neutron's security groups let a packet of {@code protocol} from {@code sourceIp} to
   * {@code destinationIp} through, arriving on port {@code target} at port number {@code port}: an
   * egress rule of the source's port (when the source is a port of this cloud) and an ingress rule
   * of {@code target} must allow it. The destination may be an address the target answers for
   * besides its fixed IP (an allowed address pair, such as a LoadBalancer IP). A port with port
   * security off filters nothing; the filter is stateful, so replies need no rule. The members of a
   * remote group are the fixed IPs and allowed address pairs of the group's ports.
   */
  public boolean securityGroupsAllow(
      String sourceIp, String destinationIp, SandboxPort target, String protocol, int port) {
    for (SandboxPort source : portsWithFixedIp(sourceIp)) {
      if (!passes(source, "egress", protocol, port, destinationIp)) {
        return false;
      }
    }
    return passes(target, "ingress", protocol, port, sourceIp);
  }

  private boolean passes(
      SandboxPort port, String direction, String protocol, int number, String remoteIp) {
    if (!port.portSecurityEnabled()) {
      return true;
    }
    return port.securityGroupIds().stream()
        .map(securityGroups::get)
        .filter(java.util.Objects::nonNull)
        .anyMatch(g -> g.allows(direction, protocol, number, remoteIp, this::inGroup));
  }

  private boolean inGroup(String groupId, String ip) {
    return ports.values().stream()
        .filter(p -> p.securityGroupIds().contains(groupId))
        .anyMatch(p -> p.fixedIp().equals(ip) || p.pairCovers(ip));
  }

  /**
   * Adds commands the VMs answer (software installed on them over SSH, e.g. the Kubernetes
   * sandbox's RKE2); asked in the order added, after the image's own commands.
   */
  public void addVmCommands(VmCommands commands) {
    vmCommands.add(java.util.Objects.requireNonNull(commands, "commands"));
  }

  private java.util.Optional<VmCommands.Answer> installedCommand(
      VmCommands.Login login, String command) {
    for (VmCommands c : vmCommands) {
      java.util.Optional<VmCommands.Answer> answer = c.answer(login, command);
      if (answer.isPresent()) {
        return answer;
      }
    }
    return java.util.Optional.empty();
  }

  /** The live servers. */
  public List<SandboxServer> servers() {
    return List.copyOf(servers.values());
  }

  /**
   * The requests served, in order: all of them, or the last {@value #REQUESTS_KEPT} in a long run.
   * Side effects are counted without limit in {@link #counters()}.
   */
  public List<RequestRecord> requests() {
    synchronized (requests) {
      return List.copyOf(requests);
    }
  }

  /** How long {@code step} takes on {@code cluster}. */
  Duration latency(SandboxStep step, ClusterRef cluster) {
    return latencies.of(step, cluster);
  }

  /**
   * Boots the VM of {@code server} after its {@code vm-boot} latency (the SSH daemon comes up, the
   * console shows the host keys, the server turns ACTIVE), then runs {@code onBooted}; cloud-init
   * finishes {@code ssh-ready} later.
   */
  void bootLater(SandboxServer server, Runnable onBooted) {
    scheduler.schedule(
        () -> {
          boot(server);
          onBooted.run();
        },
        latency(SandboxStep.VM_BOOT, server.cluster).toMillis(),
        TimeUnit.MILLISECONDS);
  }

  private void boot(SandboxServer server) {
    Instant cloudInitDone = Instant.now().plus(latency(SandboxStep.SSH_READY, server.cluster));
    synchronized (server) {
      if (!servers.containsKey(server.id)) {
        return;
      }
      server.console.append("[    0.000000] Linux version 5.15.0-91-generic\n");
      server.console.append("Cloud-init v. 23.3.3 running 'init' at boot\n");
      CloudInit.Node node = CloudInit.apply(server.userData);
      node.log.forEach(line -> server.console.append(line).append('\n'));
      try {
        server.vm =
            SandboxVm.boot(
                server.name,
                server.fixedIp(),
                config.vmSshPort,
                keypairs.get(server.keyName),
                sshIo,
                node,
                cloudInitDone,
                scheduler,
                this::installedCommand);
      } catch (RuntimeException e) {
        log.error("VM {} did not boot", server.name, e);
        server.console.append("sshd: failed to start: ").append(e.getMessage()).append('\n');
        server.status = "ERROR";
        return;
      }
      server
          .console
          .append("-----BEGIN SSH HOST KEY FINGERPRINTS-----\n")
          .append("256 ")
          .append(server.vm.fingerprint())
          .append(" root@")
          .append(server.name)
          .append(" (ECDSA)\n")
          .append("-----END SSH HOST KEY FINGERPRINTS-----\n");
      server.status = "ACTIVE";
      server.cloudInitDone = cloudInitDone;
    }
    recorder.finished(SandboxStep.VM_BOOT, server.cluster, server.name, Instant.now());
    scheduler.schedule(
        () -> cloudInitFinished(server, cloudInitDone),
        Math.max(0, Duration.between(Instant.now(), cloudInitDone).toMillis()),
        TimeUnit.MILLISECONDS);
  }

  private void cloudInitFinished(SandboxServer server, Instant at) {
    synchronized (server) {
      if (server.vm == null) {
        return;
      }
      server
          .console
          .append("Cloud-init v. 23.3.3 finished at ")
          .append(Clock.iso(at))
          .append(". Datasource DataSourceOpenStack.\n");
    }
    recorder.finished(SandboxStep.SSH_READY, server.cluster, server.name, at);
  }

  /** Removes a server and stops its VM. */
  void deleteServer(String serverId) {
    SandboxServer server = servers.remove(serverId);
    if (server != null) {
      synchronized (server) {
        if (server.vm != null) {
          server.vm.close();
          server.vm = null;
        }
      }
      server.port.deviceId = "";
      server.port.status = "DOWN";
      recorder.forgetNode(server.fixedIp());
    }
  }

  @Override
  public void close() {
    if (http != null) {
      http.stop(0);
    }
    List.copyOf(servers.keySet()).forEach(this::deleteServer);
    scheduler.shutdownNow();
    sshIo.close();
  }

  /** The durations of the external steps. */
  public SandboxLatencies latencies() {
    return latencies;
  }

  /** Where the step log and counters go (shared with other sandboxes when given to the builder). */
  public SandboxRecorder recorder() {
    return recorder;
  }

  /** When each external step finished: {@code heat-stack}, {@code vm-boot}, {@code ssh-ready}. */
  public StepLog stepLog() {
    return recorder.steps();
  }

  /** The security groups of the project ({@code default} included). */
  public List<SandboxSecurityGroup> securityGroups() {
    return List.copyOf(securityGroups.values());
  }

  /** The security group {@code nameOrId} refers to, as Neutron resolves it; null when none. */
  SandboxSecurityGroup findSecurityGroup(String nameOrId) {
    SandboxSecurityGroup byId = securityGroups.get(nameOrId);
    if (byId != null) {
      return byId;
    }
    return securityGroups.values().stream()
        .filter(g -> g.name.equals(nameOrId))
        .findFirst()
        .orElse(null);
  }

  /** The ID of the project's {@code default} group. */
  String defaultSecurityGroupId() {
    return findSecurityGroup("default").id;
  }

  /** Stacks created and allowed-address-pair changes, per cluster. */
  public SideEffectCounters counters() {
    return recorder.counters();
  }

  /** Settings of a sandbox cloud. */
  public static final class Builder {
    String bindAddress = "127.0.0.1";
    int port;
    String user = "demo";
    String password = "sandbox";
    String project = "demo";
    String domain = "Default";
    SandboxLatencies latencies = SandboxLatencies.fast();
    SandboxRecorder recorder = new SandboxRecorder();
    Duration stackCreateDelay;
    Duration vmBootDelay;
    String vmSubnet = "127.10.0.0/16";
    int vmSshPort = 2222;
    String networkName = "mesh-net";
    final Map<String, String> keypairs = new LinkedHashMap<>();
    final Map<String, String> applicationCredentials = new LinkedHashMap<>();
    final List<String> securityGroups = new java.util.ArrayList<>();
    int instanceQuota = -1;
    ApiRateLimit rateLimit;
    boolean https;

    /**
     * A rate limit on the project's API requests ({@link SandboxCloud#rateLimit(double, int)});
     * none by default.
     */
    public Builder rateLimit(double requestsPerSecond, int burst) {
      this.rateLimit = requestsPerSecond == 0 ? null : new ApiRateLimit(requestsPerSecond, burst);
      return this;
    }

    /**
     * Serves HTTPS with a certificate of a private CA made for this cloud ({@link
     * #caCertificatePem()}), as a cloud behind a company CA; the default is plain HTTP.
     */
    public Builder https() {
      this.https = true;
      return this;
    }

    /**
     * An application credential of the user in the project ({@code openstack application credential
     * create NAME --secret SECRET}); its ID is {@link #applicationCredentialId(String)}.
     */
    public Builder applicationCredential(String name, String secret) {
      applicationCredentials.put(name, secret);
      return this;
    }

    /**
     * A security group that exists in the project before any stack (besides {@code default}), as a
     * mesh file's {@code machine.securityGroups} names it.
     */
    public Builder securityGroup(String name) {
      securityGroups.add(name);
      return this;
    }

    /**
     * The project's quota of instances, as Nova enforces it (-1, the default: unlimited); a stack
     * whose servers would exceed it fails as Heat reports Nova's refusal. See {@link
     * SandboxCloud#instanceQuota(int)} to change it later.
     */
    public Builder instanceQuota(int instances) {
      this.instanceQuota = instances;
      return this;
    }

    public Builder bindAddress(String address) {
      this.bindAddress = address;
      return this;
    }

    public Builder port(int port) {
      this.port = port;
      return this;
    }

    public Builder credentials(String user, String password, String project, String domain) {
      this.user = user;
      this.password = password;
      this.project = project;
      this.domain = domain;
      return this;
    }

    /**
     * Shorthand for a {@code heat-stack} latency on every cluster; applied over {@link
     * #latencies(SandboxLatencies)} whatever the call order.
     */
    public Builder stackCreateDelay(Duration delay) {
      this.stackCreateDelay = delay;
      return this;
    }

    /**
     * Shorthand for a {@code vm-boot} latency on every cluster; applied over {@link
     * #latencies(SandboxLatencies)} whatever the call order.
     */
    public Builder vmBootDelay(Duration delay) {
      this.vmBootDelay = delay;
      return this;
    }

    /** How long the external steps take (default {@link SandboxLatencies#fast()}). */
    public Builder latencies(SandboxLatencies latencies) {
      this.latencies = java.util.Objects.requireNonNull(latencies, "latencies");
      return this;
    }

    /**
     * Where to record finished steps and side effects; give the Kubernetes sandbox the same one
     * (default: a recorder of its own).
     */
    public Builder recorder(SandboxRecorder recorder) {
      this.recorder = java.util.Objects.requireNonNull(recorder, "recorder");
      return this;
    }

    SandboxLatencies effectiveLatencies() {
      SandboxLatencies out = latencies;
      if (stackCreateDelay != null) {
        out = out.with(SandboxStep.HEAT_STACK, stackCreateDelay);
      }
      if (vmBootDelay != null) {
        out = out.with(SandboxStep.VM_BOOT, vmBootDelay);
      }
      return out;
    }

    public Builder vmSubnet(String cidr) {
      this.vmSubnet = cidr;
      return this;
    }

    public Builder vmSshPort(int port) {
      this.vmSshPort = port;
      return this;
    }

    public Builder networkName(String name) {
      this.networkName = name;
      return this;
    }

    /** Registers a Nova keypair by its OpenSSH public key line. */
    public Builder keypair(String name, String openSshPublicKey) {
      keypairs.put(name, openSshPublicKey);
      return this;
    }

    public SandboxCloud build() {
      return new SandboxCloud(this);
    }
  }
}
