package io.meshorch.sandbox.openstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshorch.sandbox.core.SandboxLatencies;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.connection.channel.direct.Session;
import net.schmizz.sshj.userauth.UserAuthException;
import net.schmizz.sshj.userauth.keyprovider.KeyPairWrapper;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The VM applies its user data and the stack its security group, and each defective input fails the
 * way a real Ubuntu VM or Heat/Neutron fails: seen through SSH and the OpenStack APIs.
 */
class SandboxNodesTest {
  /** What infra-service renders for sshUser ubuntu (see its README). */
  private static final String PRODUCT_USER_DATA =
      """
      #cloud-config
      package_update: true
      packages: [docker.io]
      mounts:
      - [bpffs, /sys/fs/bpf, bpf, defaults, '0', '0']
      bootcmd:
      - [sh, -c, mountpoint -q /sys/fs/bpf || mount -t bpf bpffs /sys/fs/bpf]
      - [mount, --make-shared, /sys/fs/bpf]
      runcmd:
      - [systemctl, enable, --now, docker]
      - [usermod, -aG, docker, ubuntu]
      """;

  /** The same without the docker group: what the issue found on a real VM. */
  private static final String WITHOUT_DOCKER_GROUP =
      """
      #cloud-config
      packages: [docker.io]
      runcmd:
      - [systemctl, enable, --now, docker]
      """;

  private final HttpClient http = HttpClient.newHttpClient();
  private final JsonMapper json = JsonMapper.builder().build();
  private KeyPair userKey;
  private SandboxCloud cloud;
  private String token;

  @BeforeEach
  void start() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(256);
    userKey = generator.generateKeyPair();
    cloud =
        SandboxCloud.builder()
            .credentials("demo", "s3cret", "demo", "Default")
            .latencies(SandboxLatencies.parse("fast,heat-stack=50ms,vm-boot=50ms"))
            .vmSubnet("127.12.0.0/16")
            .vmSshPort(freePort())
            .keypair("mesh", PublicKeyEntry.toString(userKey.getPublic()))
            .securityGroup("mesh-nodes")
            .build()
            .start();
    HttpResponse<String> auth =
        send(
            "POST",
            cloud.identityUrl() + "/auth/tokens",
            """
            {"auth": {"identity": {"methods": ["password"], "password": {"user": {"name": "demo",
             "domain": {"name": "Default"}, "password": "s3cret"}}},
             "scope": {"project": {"name": "demo", "domain": {"name": "Default"}}}}}
            """);
    token = auth.headers().firstValue("X-Subject-Token").orElseThrow();
  }

  @AfterEach
  void stop() {
    cloud.close();
  }

  private static Map<String, Object> template(
      String userData, Object portGroups, Map<String, Object> extraResources) {
    Map<String, Object> resources = new java.util.LinkedHashMap<>(extraResources);
    Map<String, Object> port = new java.util.LinkedHashMap<>();
    port.put("network", "mesh-net");
    if (portGroups != null) {
      port.put("security_groups", portGroups);
    }
    resources.put("port_0", Map.of("type", "OS::Neutron::Port", "properties", port));
    Map<String, Object> server = new java.util.LinkedHashMap<>();
    server.put("name", "node-0");
    server.put("image", "ubuntu-22.04");
    server.put("flavor", "m1.large");
    server.put("key_name", "mesh");
    server.put("networks", List.of(Map.of("port", Map.of("get_resource", "port_0"))));
    if (userData != null) {
      server.put("user_data", userData);
    }
    resources.put("node_0", Map.of("type", "OS::Nova::Server", "properties", server));
    return Map.of(
        "heat_template_version",
        "2018-08-31",
        "resources",
        resources,
        "outputs",
        Map.of("port", Map.of("value", Map.of("get_resource", "port_0"))));
  }

  private JsonNode createStack(String name, Map<String, Object> template) throws Exception {
    String body = json.writeValueAsString(Map.of("stack_name", name, "template", template));
    assertThat(
            send("POST", cloud.baseUrl() + "/heat/v1/" + cloud.projectId + "/stacks", body)
                .statusCode())
        .isEqualTo(201);
    return await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              HttpResponse<String> r =
                  send(
                      "GET",
                      cloud.baseUrl() + "/heat/v1/" + cloud.projectId + "/stacks?name=" + name,
                      null);
              return json.readTree(r.body()).get("stacks").get(0);
            },
            s -> !s.get("stack_status").asString().endsWith("IN_PROGRESS"));
  }

  private SandboxServer bootedServer(String userData) throws Exception {
    JsonNode stack = createStack("s", template(userData, null, Map.of()));
    assertThat(stack.get("stack_status").asString()).isEqualTo("CREATE_COMPLETE");
    SandboxServer server = cloud.servers().get(0);
    await().atMost(Duration.ofSeconds(10)).until(() -> server.status().equals("ACTIVE"));
    return server;
  }

  @Test
  void aUserOutsideTheDockerGroupGetsTheDaemonSocketsPermissionError() throws Exception {
    SandboxServer server = bootedServer(WITHOUT_DOCKER_GROUP);

    try (SSHClient ssh = connect(server, "ubuntu")) {
      Run version = run(ssh, "docker version");
      Run formatted = run(ssh, "docker version --format '{{.Server.Version}}'");
      Run info = run(ssh, "docker info");

      assertThat(version.exit()).isEqualTo(1);
      assertThat(version.stdout()).startsWith("Client:\n Version:           24.0.9");
      assertThat(version.stderr())
          .isEqualTo(
              "permission denied while trying to connect to the Docker daemon socket at"
                  + " unix:///var/run/docker.sock: Get"
                  + " \"http://%2Fvar%2Frun%2Fdocker.sock/v1.24/version\": dial unix"
                  + " /var/run/docker.sock: connect: permission denied\n");
      assertThat(formatted.exit()).isEqualTo(1);
      assertThat(formatted.stdout()).isEmpty();
      assertThat(info.exit()).isEqualTo(1);
      assertThat(info.stderr())
          .startsWith("ERROR: permission denied while trying to connect to the Docker daemon")
          .contains("/v1.24/info");
      assertThat(run(ssh, "id -nG").stdout().trim()).isEqualTo("ubuntu adm cdrom sudo dip lxd");
    }
  }

  @Test
  void theProductsUserDataGivesTheUserDockerAndASharedPersistentBpffs() throws Exception {
    SandboxServer server = bootedServer(PRODUCT_USER_DATA);

    try (SSHClient ssh = connect(server, "ubuntu")) {
      assertThat(run(ssh, "docker version --format '{{.Server.Version}}'"))
          .isEqualTo(new Run("24.0.9\n", "", 0));
      assertThat(run(ssh, "docker info").exit()).isZero();
      assertThat(run(ssh, "id -nG").stdout()).contains("docker");
      assertThat(run(ssh, "mountpoint -q /sys/fs/bpf").exit()).isZero();
      assertThat(run(ssh, "findmnt -n -o PROPAGATION /sys/fs/bpf").stdout().trim())
          .isEqualTo("shared");
      assertThat(run(ssh, "cat /etc/fstab").stdout()).contains("bpffs\t/sys/fs/bpf\tbpf");
    }
  }

  @Test
  void theSshDaemonSendsWithoutNaglesDelayAsOpenSshDoes() throws Exception {
    // OpenSSH's sshd sets TCP_NODELAY on every connection (packet.c, set_nodelay); a daemon
    // without it makes each command's small packets wait for delayed acknowledgements.
    SandboxServer server = bootedServer(PRODUCT_USER_DATA);

    try (SSHClient ssh = connect(server, "ubuntu")) {
      assertThat(run(ssh, "docker version --format '{{.Server.Version}}'").exit()).isZero();
      assertThat(server.vm.connectionsWithoutDelay()).containsExactly(true);
    }
  }

  @Test
  void withoutUserDataThereIsNoDockerAndOnlyTheImagesUserLogsIn() throws Exception {
    SandboxServer server = bootedServer(null);

    try (SSHClient ssh = connect(server, "ubuntu")) {
      Run docker = run(ssh, "docker version");
      assertThat(docker.exit()).isEqualTo(127);
      assertThat(docker.stderr()).contains("docker: command not found");
    }
    try (SSHClient ssh = new SSHClient()) {
      ssh.addHostKeyVerifier(server.sshHostKeyFingerprint().orElseThrow());
      ssh.connect(server.fixedIp(), cloud.config.vmSshPort);
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> ssh.authPublickey("centos", new KeyPairWrapper(userKey)))
          .isInstanceOf(UserAuthException.class);
    }
  }

  @Test
  void aStackSecurityGroupHoldsItsRulesAndThePortIsInIt() throws Exception {
    Map<String, Object> group =
        Map.of(
            "type",
            "OS::Neutron::SecurityGroup",
            "properties",
            Map.of(
                "name",
                "s-nodes",
                "rules",
                List.of(
                    Map.of("remote_mode", "remote_group_id"),
                    Map.of(
                        "protocol",
                        "tcp",
                        "port_range_min",
                        2379,
                        "port_range_max",
                        2379,
                        "remote_ip_prefix",
                        "192.168.0.0/24"))));
    JsonNode stack =
        createStack(
            "s",
            template(
                PRODUCT_USER_DATA,
                List.of(Map.of("get_resource", "security_group")),
                Map.of("security_group", group)));

    assertThat(stack.get("stack_status").asString()).isEqualTo("CREATE_COMPLETE");
    SandboxPort port = cloud.ports.values().iterator().next();
    String groupId = port.securityGroupIds().get(0);
    JsonNode shown =
        json.readTree(
                send("GET", cloud.baseUrl() + "/neutron/v2.0/security-groups/" + groupId, null)
                    .body())
            .get("security_group");
    assertThat(shown.get("name").asString()).isEqualTo("s-nodes");
    assertThat(shown.get("security_group_rules").valueStream())
        .anySatisfy(
            r -> {
              assertThat(r.get("direction").asString()).isEqualTo("ingress");
              assertThat(r.get("port_range_min").asInt()).isEqualTo(2379);
              assertThat(r.get("remote_ip_prefix").asString()).isEqualTo("192.168.0.0/24");
            })
        .anySatisfy(r -> assertThat(r.get("remote_group_id").asString()).isEqualTo(groupId))
        .anySatisfy(r -> assertThat(r.get("direction").asString()).isEqualTo("egress"));
    JsonNode portJson =
        json.readTree(
            send("GET", cloud.baseUrl() + "/neutron/v2.0/ports/" + port.id(), null).body());
    assertThat(portJson.get("port").get("security_groups").get(0).asString()).isEqualTo(groupId);
  }

  /**
   * Neutron filters what reaches a port by its groups: the product's kind of group (everything from
   * its own members, the mesh port from the node network) lets 2379 in from any node and nothing
   * else from a node outside it; a group without the mesh rule keeps 2379 out; the default group
   * lets its own members in; port security off filters nothing.
   */
  @Test
  void securityGroupsLetInOnlyWhatTheirRulesAllow() throws Exception {
    Map<String, Object> meshGroup = securityGroup(FROM_ITS_MEMBERS, tcpFrom("127.12.0.0/16", 2379));
    Map<String, Object> sshOnly = securityGroup(tcpFrom("127.12.0.0/16", 22));
    List<Object> ownGroup = List.of(Map.of("get_resource", "security_group"));
    SandboxPort mesh =
        portOf(createStack("mesh", template(null, ownGroup, Map.of("security_group", meshGroup))));
    SandboxPort meshPeer =
        portOf(
            createStack(
                "peer",
                template(
                    null,
                    List.of(cloud.securityGroups.get(mesh.securityGroupIds().get(0)).id()),
                    Map.of())));
    SandboxPort ssh =
        portOf(createStack("ssh", template(null, ownGroup, Map.of("security_group", sshOnly))));
    SandboxPort plain = portOf(createStack("plain", template(null, null, Map.of())));
    SandboxPort plainPeer = portOf(createStack("plain-peer", template(null, null, Map.of())));

    assertThat(allows(plain, mesh, 2379)).as("2379 from the node network").isTrue();
    assertThat(allows(plain, mesh, 6443)).as("6443 from a node outside the group").isFalse();
    assertThat(allows(meshPeer, mesh, 6443)).as("6443 from a member of the group").isTrue();
    assertThat(allows(plain, ssh, 2379)).as("2379 into a group without the rule").isFalse();
    assertThat(allows(plain, ssh, 22)).as("22 into that group").isTrue();
    assertThat(allows(plainPeer, plain, 2379)).as("default group from its member").isTrue();
    assertThat(allows(mesh, plain, 2379)).as("default group from outside it").isFalse();

    assertThat(
            send(
                    "PUT",
                    cloud.baseUrl() + "/neutron/v2.0/ports/" + ssh.id(),
                    "{\"port\": {\"port_security_enabled\": false}}")
                .statusCode())
        .isEqualTo(200);
    assertThat(allows(plain, ssh, 2379)).as("2379 once port security is off").isTrue();
  }

  /**
   * A LoadBalancer IP on a node answers another node only when anti-spoofing lets it in (an allowed
   * address pair) and the node's groups let the mesh port in: with the pair but without the mesh
   * rule, the mesh endpoint stays unreachable, as on a real cloud.
   */
  @Test
  void aVirtualIpAnswersOnlyWithItsAddressPairAndAGroupThatLetsThePortIn() throws Exception {
    Map<String, Object> meshGroup = securityGroup(tcpFrom("127.12.0.0/16", 2379));
    Map<String, Object> withoutMeshPort = securityGroup(FROM_ITS_MEMBERS);
    List<Object> ownGroup = List.of(Map.of("get_resource", "security_group"));
    SandboxPort owner =
        portOf(createStack("owner", template(null, ownGroup, Map.of("security_group", meshGroup))));
    SandboxPort closed =
        portOf(
            createStack(
                "closed", template(null, ownGroup, Map.of("security_group", withoutMeshPort))));
    SandboxPort client = portOf(createStack("client", template(null, null, Map.of())));
    String vip = "192.168.50.10";

    assertThat(reachable(client, vip, owner)).as("without the address pair").isFalse();
    pair(owner, "192.168.50.0/28");
    assertThat(reachable(client, vip, owner)).as("with a pair covering it").isTrue();
    pair(closed, vip);
    assertThat(reachable(client, vip, closed)).as("pair, but no rule for 2379").isFalse();
    assertThat(reachable(client, vip, owner, closed)).as("one node port of two closed").isFalse();
  }

  private boolean reachable(SandboxPort from, String ip, SandboxPort... owners) {
    return cloud.virtualIpReachable(
        List.of(from.fixedIp()),
        ip,
        java.util.Arrays.stream(owners).map(SandboxPort::fixedIp).toList(),
        2379);
  }

  private void pair(SandboxPort port, String ip) throws Exception {
    assertThat(
            send(
                    "PUT",
                    cloud.baseUrl() + "/neutron/v2.0/ports/" + port.id(),
                    "{\"port\": {\"allowed_address_pairs\": [{\"ip_address\": \"" + ip + "\"}]}}")
                .statusCode())
        .isEqualTo(200);
  }

  /**
   * Nova refuses an instance over the project's quota and Heat fails the stack with Nova's words;
   * once the operator raises the quota, the same template works.
   */
  @Test
  void aServerOverTheInstanceQuotaFailsTheStackUntilTheQuotaIsRaised() throws Exception {
    cloud.instanceQuota(1);

    JsonNode first = createStack("first", template(null, null, Map.of()));
    JsonNode second = createStack("second", template(null, null, Map.of()));
    cloud.instanceQuota(10);
    JsonNode third = createStack("third", template(null, null, Map.of()));

    assertThat(first.get("stack_status").asString()).isEqualTo("CREATE_COMPLETE");
    assertThat(second.get("stack_status").asString()).isEqualTo("CREATE_FAILED");
    assertThat(second.get("stack_status_reason").asString())
        .matches(
            "Resource CREATE failed: Forbidden: resources\\.node_0: Quota exceeded for instances:"
                + " Requested 1, but already used 1 of 1 instances \\(HTTP 403\\) \\(Request-ID:"
                + " req-[0-9a-f-]{36}\\)");
    assertThat(third.get("stack_status").asString()).isEqualTo("CREATE_COMPLETE");
  }

  /** A rule letting in everything from the group's own members. */
  private static final Map<String, Object> FROM_ITS_MEMBERS =
      Map.of("remote_mode", "remote_group_id");

  /** An {@code OS::Neutron::SecurityGroup} resource with {@code rules} (maps, as in HOT). */
  private static Map<String, Object> securityGroup(Object... rules) {
    return Map.of(
        "type", "OS::Neutron::SecurityGroup", "properties", Map.of("rules", List.of(rules)));
  }

  /** A rule letting TCP {@code port} in from {@code cidr}. */
  private static Map<String, Object> tcpFrom(String cidr, int port) {
    return Map.of(
        "protocol",
        "tcp",
        "port_range_min",
        port,
        "port_range_max",
        port,
        "remote_ip_prefix",
        cidr);
  }

  private boolean allows(SandboxPort from, SandboxPort to, int port) {
    return cloud.securityGroupsAllow(from.fixedIp(), to.fixedIp(), to, "tcp", port);
  }

  /** The port of a stack made by {@link #template}, from its output as Heat shows it. */
  private SandboxPort portOf(JsonNode listed) throws Exception {
    assertThat(listed.get("stack_status").asString()).isEqualTo("CREATE_COMPLETE");
    String url =
        cloud.baseUrl()
            + "/heat/v1/"
            + cloud.projectId
            + "/stacks/"
            + listed.get("stack_name").asString()
            + "/"
            + listed.get("id").asString();
    JsonNode stack = json.readTree(send("GET", url, null).body()).get("stack");
    String id = stack.get("outputs").get(0).get("output_value").asString();
    return cloud.findPort(id).orElseThrow();
  }

  @Test
  void aPortNamingAnExistingGroupIsInItAndOneWithoutIsInDefault() throws Exception {
    createStack("s", template(PRODUCT_USER_DATA, List.of("mesh-nodes"), Map.of()));
    createStack("t", template(PRODUCT_USER_DATA, null, Map.of()));

    assertThat(cloud.ports.values())
        .extracting(p -> cloud.securityGroups.get(p.securityGroupIds().get(0)).name())
        .containsExactlyInAnyOrder("mesh-nodes", "default");
  }

  @Test
  void aPortNamingAnUnknownGroupFailsTheStackLikeHeat() throws Exception {
    JsonNode stack =
        createStack("s", template(PRODUCT_USER_DATA, List.of("no-such-group"), Map.of()));

    assertThat(stack.get("stack_status").asString()).isEqualTo("CREATE_FAILED");
    assertThat(stack.get("stack_status_reason").asString())
        .isEqualTo(
            "Resource CREATE failed: NotFound: resources.port_0: Unable to find security_group"
                + " with name or id 'no-such-group'");
  }

  @Test
  void aRuleNeutronRefusesFailsTheStack() throws Exception {
    Map<String, Object> group =
        Map.of(
            "type",
            "OS::Neutron::SecurityGroup",
            "properties",
            Map.of(
                "rules",
                List.of(
                    Map.of(
                        "protocol",
                        "tcp",
                        "port_range_min",
                        7946,
                        "port_range_max",
                        22,
                        "remote_ip_prefix",
                        "192.168.0.0/24"))));
    JsonNode stack =
        createStack(
            "s",
            template(
                PRODUCT_USER_DATA,
                List.of(Map.of("get_resource", "security_group")),
                Map.of("security_group", group)));

    assertThat(stack.get("stack_status").asString()).isEqualTo("CREATE_FAILED");
    assertThat(stack.get("stack_status_reason").asString())
        .contains("resources.security_group", "port_range_min must be <= port_range_max");
  }

  private SSHClient connect(SandboxServer server, String user) throws IOException {
    SSHClient ssh = new SSHClient();
    ssh.addHostKeyVerifier(server.sshHostKeyFingerprint().orElseThrow());
    ssh.connect(server.fixedIp(), cloud.config.vmSshPort);
    ssh.authPublickey(user, new KeyPairWrapper(userKey));
    return ssh;
  }

  private record Run(String stdout, String stderr, int exit) {}

  private static Run run(SSHClient ssh, String command) throws IOException {
    try (Session session = ssh.startSession()) {
      Session.Command cmd = session.exec(command);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      cmd.getInputStream().transferTo(out);
      cmd.getErrorStream().transferTo(err);
      cmd.join(30, TimeUnit.SECONDS);
      return new Run(
          out.toString(StandardCharsets.UTF_8),
          err.toString(StandardCharsets.UTF_8),
          cmd.getExitStatus());
    }
  }

  private HttpResponse<String> send(String method, String url, String body) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json");
    if (token != null) {
      b.header("X-Auth-Token", token);
    }
    b.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static int freePort() throws IOException {
    try (var socket = new java.net.ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
