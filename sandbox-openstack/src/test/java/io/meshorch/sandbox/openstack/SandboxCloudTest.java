package io.meshorch.sandbox.openstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.common.IOUtils;
import net.schmizz.sshj.connection.channel.direct.Session;
import net.schmizz.sshj.transport.TransportException;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openstack4j.api.OSClient.OSClientV3;
import org.openstack4j.api.exceptions.AuthenticationException;
import org.openstack4j.model.common.Identifier;
import org.openstack4j.model.heat.Stack;
import org.openstack4j.openstack.OSFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Drives the sandbox with openstack4j, sshj and plain HTTP, as the product and operators do. */
class SandboxCloudTest {
  private static final String TEMPLATE =
      """
      heat_template_version: 2018-08-31
      description: two nodes
      parameters:
        image: {type: string, default: ubuntu-22.04}
      resources:
        port_0:
          type: OS::Neutron::Port
          properties: {network: mesh-net, name: p0}
        node_0:
          type: OS::Nova::Server
          properties:
            name: mesh-t-east-node-0
            image: {get_param: image}
            flavor: m1.large
            key_name: mesh
            networks: [{port: {get_resource: port_0}}]
            user_data: "#cloud-config\\npackages: [docker.io]\\nruncmd: [[usermod, -aG, docker, ubuntu]]\\n"
        port_1:
          type: OS::Neutron::Port
          properties: {network: mesh-net, name: p1}
        node_1:
          type: OS::Nova::Server
          properties:
            name: mesh-t-east-node-1
            image: {get_param: image}
            flavor: m1.large
            key_name: mesh
            networks: [{port: {get_resource: port_1}}]
            user_data: "#cloud-config\\npackages: [docker.io]\\nruncmd: [[usermod, -aG, docker, ubuntu]]\\n"
      outputs:
        nodes:
          description: the nodes
          value:
            - {name: mesh-t-east-node-0, server_id: {get_resource: node_0}, port_id: {get_resource: port_0}, address: {get_attr: [port_0, fixed_ips, 0, ip_address]}}
            - {name: mesh-t-east-node-1, server_id: {get_resource: node_1}, port_id: {get_resource: port_1}, address: {get_attr: [port_1, fixed_ips, 0, ip_address]}}
      """;

  @TempDir Path dir;
  private SandboxCloud cloud;
  private KeyPair userKey;
  private final HttpClient http = HttpClient.newHttpClient();
  private final JsonMapper json = JsonMapper.builder().build();

  @BeforeEach
  void start() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(256);
    userKey = generator.generateKeyPair();
    cloud =
        SandboxCloud.builder()
            .credentials("demo", "s3cret", "demo", "Default")
            .stackCreateDelay(Duration.ofMillis(200))
            .vmBootDelay(Duration.ofMillis(100))
            .vmSubnet("127.10.0.0/16")
            .vmSshPort(freePort())
            .keypair("mesh", PublicKeyEntry.toString(userKey.getPublic()))
            .build()
            .start();
  }

  @AfterEach
  void stop() {
    cloud.close();
  }

  private OSClientV3 login(String password) {
    return OSFactory.builderV3()
        .endpoint(cloud.identityUrl())
        .credentials("demo", password, Identifier.byName("Default"))
        .scopeToProject(Identifier.byName("demo"), Identifier.byName("Default"))
        .authenticate();
  }

  private Stack createAndWait(OSClientV3 os, String name) {
    os.heat().stacks().create(name, TEMPLATE, Map.of(), false, 10L);
    return await()
        .pollInSameThread()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> os.heat().stacks().getStackByName(name),
            s -> s != null && !s.getStatus().endsWith("IN_PROGRESS"));
  }

  @Test
  void createsAStackAsynchronouslyAndResolvesItsOutputs() {
    OSClientV3 os = login("s3cret");

    os.heat().stacks().create("mesh-t-east", TEMPLATE, Map.of(), false, 10L);
    Stack early = os.heat().stacks().getStackByName("mesh-t-east");
    Stack done = createdLater(os);

    assertThat(early.getStatus()).isEqualTo("CREATE_IN_PROGRESS");
    assertThat(done.getStatus()).isEqualTo("CREATE_COMPLETE");
    Map<String, Object> output = done.getOutputs().get(0);
    assertThat(output).containsEntry("output_key", "nodes");
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> nodes = (List<Map<String, Object>>) output.get("output_value");
    assertThat(nodes).hasSize(2);
    assertThat(nodes.get(0).get("address").toString()).startsWith("127.10.");
    assertThat(cloud.findPort(nodes.get(0).get("port_id").toString()).orElseThrow().deviceId())
        .isEqualTo(nodes.get(0).get("server_id"));
  }

  private Stack createdLater(OSClientV3 os) {
    return await()
        .pollInSameThread()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> os.heat().stacks().getStackByName("mesh-t-east"),
            s -> s.getStatus().equals("CREATE_COMPLETE"));
  }

  @Test
  void aProjectOverItsRateLimitIsAnswered429WithRetryAfterAsAFrontEndAnswers() throws Exception {
    OSClientV3 os = login("s3cret");
    String token = os.getToken().getId();
    cloud.rateLimit(0.5, 3);
    URI stacks = URI.create(cloud.baseUrl() + "/heat/v1/" + cloud.projectId + "/stacks");

    List<HttpResponse<String>> answers = new java.util.ArrayList<>();
    for (int i = 0; i < 5; i++) {
      answers.add(
          http.send(
              HttpRequest.newBuilder(stacks).header("X-Auth-Token", token).GET().build(),
              HttpResponse.BodyHandlers.ofString()));
    }

    assertThat(answers.stream().map(HttpResponse::statusCode))
        .containsExactly(200, 200, 200, 429, 429);
    HttpResponse<String> refused = answers.get(3);
    assertThat(refused.headers().firstValue("Content-Type")).hasValue("text/html");
    assertThat(refused.body()).contains("<h1>429 Too Many Requests</h1>");
    // A token every 2 s: the next request passes within Retry-After seconds, never sooner.
    assertThat(refused.headers().firstValue("Retry-After").map(Long::parseLong))
        .hasValueSatisfying(s -> assertThat(s).isBetween(1L, 2L));
    assertThat(cloud.requests().stream().filter(r -> r.status() == 429)).hasSize(2);

    cloud.rateLimit(0, 1);
    assertThat(
            http.send(
                    HttpRequest.newBuilder(stacks).header("X-Auth-Token", token).GET().build(),
                    HttpResponse.BodyHandlers.ofString())
                .statusCode())
        .isEqualTo(200);
  }

  @Test
  void aServicesOwnRateLimitRefusesOnlyThatServicesRequests() throws Exception {
    OSClientV3 os = login("s3cret");
    String token = os.getToken().getId();
    URI stacks = URI.create(cloud.baseUrl() + "/heat/v1/" + cloud.projectId + "/stacks");
    URI ports = URI.create(cloud.baseUrl() + "/neutron/v2.0/ports");
    cloud.rateLimit("network", 0.5, 2);
    try {
      List<Integer> neutron = new java.util.ArrayList<>();
      List<Integer> heat = new java.util.ArrayList<>();
      for (int i = 0; i < 4; i++) {
        neutron.add(get(ports, token).statusCode());
        heat.add(get(stacks, token).statusCode());
      }

      assertThat(neutron).containsExactly(200, 200, 429, 429);
      assertThat(heat).containsExactly(200, 200, 200, 200);
      assertThatThrownBy(() -> cloud.rateLimit("image", 1, 1))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("not 'image'");
    } finally {
      cloud.rateLimit("network", 0, 1);
    }
    assertThat(get(ports, token).statusCode()).isEqualTo(200);
  }

  private HttpResponse<String> get(URI uri, String token) throws Exception {
    return http.send(
        HttpRequest.newBuilder(uri).header("X-Auth-Token", token).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void refusesWrongCredentialsLikeKeystone() {
    assertThatThrownBy(() -> login("wrong")).isInstanceOf(AuthenticationException.class);
  }

  @Test
  void answersADuplicateStackWith409AndAnUnknownTypeWith400() throws Exception {
    OSClientV3 os = login("s3cret");
    createAndWait(os, "dup");
    String url = cloud.baseUrl() + "/heat/v1/" + cloud.projectId + "/stacks";
    String token = os.getToken().getId();

    HttpResponse<String> duplicate =
        post(
            url,
            token,
            "{\"stack_name\":\"dup\",\"template\":\"heat_template_version: 2018-08-31\\n\"}");
    HttpResponse<String> invalid =
        post(
            url,
            token,
            "{\"stack_name\":\"bad\",\"template\":\"heat_template_version: 2018-08-31\\nresources:\\n  x: {type: OS::Nonexistent::Thing}\\n\"}");

    assertThat(duplicate.statusCode()).isEqualTo(409);
    assertThat(json.readTree(duplicate.body()).at("/error/type").asString())
        .isEqualTo("StackExists");
    assertThat(invalid.statusCode()).isEqualTo(400);
    assertThat(json.readTree(invalid.body()).at("/error/message").asString())
        .isEqualTo("The Resource Type (OS::Nonexistent::Thing) could not be found.");
    assertThat(cloud.stackNames()).containsExactly("dup");
  }

  @Test
  void printsTheHostKeyOnTheConsoleAndTheVmAcceptsOnlyThatKey() throws Exception {
    OSClientV3 os = login("s3cret");
    createAndWait(os, "vm");
    SandboxServer server = cloud.servers().get(0);
    String console =
        await()
            .pollInSameThread()
            .atMost(Duration.ofSeconds(10))
            .until(
                () -> os.compute().servers().getConsoleOutput(server.id(), 50),
                c -> c != null && c.contains("END SSH HOST KEY"));
    Matcher m = Pattern.compile("256 (SHA256:\\S+) root@").matcher(console);
    assertThat(m.find()).isTrue();
    Path key = dir.resolve("id_ecdsa");
    try (var out = Files.newOutputStream(key)) {
      OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(userKey, "test", null, out);
    }

    try (SSHClient ssh = new SSHClient()) {
      ssh.addHostKeyVerifier(m.group(1));
      ssh.connect(server.fixedIp(), cloud.config.vmSshPort);
      ssh.authPublickey("ubuntu", ssh.loadKeys(key.toString()));
      try (Session session = ssh.startSession()) {
        Session.Command cmd = session.exec("docker version --format '{{.Server.Version}}'");
        String out = IOUtils.readFully(cmd.getInputStream()).toString();
        cmd.join();
        assertThat(out.trim()).isEqualTo("24.0.9");
        assertThat(cmd.getExitStatus()).isZero();
      }
    }
    try (SSHClient ssh = new SSHClient()) {
      ssh.addHostKeyVerifier("SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
      assertThatThrownBy(() -> ssh.connect(server.fixedIp(), cloud.config.vmSshPort))
          .isInstanceOf(TransportException.class);
    }
  }

  @Test
  void replacesAllowedAddressPairsWithTheRulesOfNeutron() throws Exception {
    OSClientV3 os = login("s3cret");
    createAndWait(os, "ports");
    SandboxPort port = cloud.ports.values().iterator().next();
    String url = cloud.baseUrl() + "/neutron/v2.0/ports/" + port.id();
    String token = os.getToken().getId();

    HttpResponse<String> ok =
        put(
            url,
            token,
            "{\"port\":{\"allowed_address_pairs\":[{\"ip_address\":\"192.168.50.10\"},{\"ip_address\":\"10.195.197.192/28\"}]}}");
    StringBuilder eleven = new StringBuilder();
    for (int i = 1; i <= 11; i++) {
      eleven.append(i > 1 ? "," : "").append("{\"ip_address\":\"10.0.0.").append(i).append("\"}");
    }
    HttpResponse<String> tooMany =
        put(url, token, "{\"port\":{\"allowed_address_pairs\":[" + eleven + "]}}");
    HttpResponse<String> readOnly =
        put(url, token, "{\"port\":{\"created_at\":\"2026-01-01T00:00:00Z\"}}");
    HttpResponse<String> badIp =
        put(
            url,
            token,
            "{\"port\":{\"allowed_address_pairs\":[{\"ip_address\":\"not-an-ip-address\"}]}}");

    assertThat(ok.statusCode()).isEqualTo(200);
    JsonNode updated = json.readTree(ok.body()).get("port");
    assertThat(updated.get("revision_number").asInt()).isEqualTo(2);
    assertThat(updated.at("/allowed_address_pairs/0/mac_address").asString())
        .isEqualTo(updated.get("mac_address").asString());
    assertThat(tooMany.statusCode()).isEqualTo(400);
    assertThat(tooMany.body()).contains("AllowedAddressPairExhausted");
    assertThat(readOnly.statusCode()).isEqualTo(400);
    assertThat(readOnly.body()).contains("Cannot update read-only attribute created_at");
    assertThat(badIp.statusCode()).isEqualTo(400);
    assertThat(port.allowedAddressPairs())
        .extracting(p -> p.get("ip_address"))
        .containsExactly("192.168.50.10", "10.195.197.192/28");
  }

  @Test
  void anUpdateConstrainedToARevisionThatIsNoLongerCurrentIsRefusedWith412() throws Exception {
    OSClientV3 os = login("s3cret");
    createAndWait(os, "cas");
    SandboxPort port = cloud.ports.values().iterator().next();
    String url = cloud.baseUrl() + "/neutron/v2.0/ports/" + port.id();
    String token = os.getToken().getId();
    String first = "{\"port\":{\"allowed_address_pairs\":[{\"ip_address\":\"10.9.0.1\"}]}}";
    String second = "{\"port\":{\"allowed_address_pairs\":[{\"ip_address\":\"10.9.0.2\"}]}}";

    // Two writers read revision 1; the first writes, the second must not overwrite it unseen.
    HttpResponse<String> won = put(url, token, first, "revision_number=1");
    HttpResponse<String> lost = put(url, token, second, "revision_number=1");
    HttpResponse<String> retried = put(url, token, second, "revision_number=2");

    assertThat(won.statusCode()).isEqualTo(200);
    assertThat(lost.statusCode()).isEqualTo(412);
    JsonNode error = json.readTree(lost.body()).get("NeutronError");
    assertThat(error.get("type").asString()).isEqualTo("RevisionNumberConstraintFailed");
    assertThat(error.get("message").asString())
        .isEqualTo("Constrained to 1, but current revision is 2");
    assertThat(retried.statusCode()).isEqualTo(200);
    assertThat(json.readTree(retried.body()).at("/port/revision_number").asInt()).isEqualTo(3);
    assertThat(port.allowedAddressPairs())
        .extracting(p -> p.get("ip_address"))
        .containsExactly("10.9.0.2");
  }

  @Test
  void rejectsRequestsWithoutAValidToken() throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create(cloud.baseUrl() + "/neutron/v2.0/ports"))
                .header("X-Auth-Token", "bogus")
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(json.readTree(response.body()).at("/error/message").asString())
        .isEqualTo("The request you have made requires authentication.");
  }

  @Test
  void deletingAStackFreesItsServersAndNameButKeepsItReadableById() {
    OSClientV3 os = login("s3cret");
    Stack stack = createAndWait(os, "gone");

    os.heat().stacks().delete("gone", stack.getId());

    await()
        .pollInSameThread()
        .atMost(Duration.ofSeconds(10))
        .until(() -> os.heat().stacks().getStackByName("gone") == null);
    assertThat(os.heat().stacks().getDetails("gone", stack.getId()).getStatus())
        .isEqualTo("DELETE_COMPLETE");
    assertThat(cloud.servers()).isEmpty();
    assertThat(cloud.stackNames()).isEmpty();
  }

  @Test
  void aDeleteShowsDeleteInProgressThenTheNameIsGoneFromShowAndListAndItCountsOnce() {
    OSClientV3 os = login("s3cret");
    Stack stack = createAndWait(os, "mesh-t-east");
    String portId = cloud.servers().get(0).port.id;

    os.heat().stacks().delete("mesh-t-east", stack.getId());
    String during = os.heat().stacks().getDetails("mesh-t-east", stack.getId()).getStatus();
    os.heat().stacks().delete("mesh-t-east", stack.getId());

    assertThat(during).isEqualTo("DELETE_IN_PROGRESS");
    await()
        .pollInSameThread()
        .atMost(Duration.ofSeconds(10))
        .until(() -> os.heat().stacks().getStackByName("mesh-t-east") == null);
    assertThat(os.heat().stacks().list(Map.of("name", "mesh-t-east"))).isEmpty();
    assertThat(cloud.findPort(portId)).isEmpty();
    assertThat(cloud.counters().total(io.meshorch.sandbox.core.SideEffect.HEAT_STACK_DELETED))
        .isEqualTo(1);
  }

  @Test
  void aDeleteMadeToFailEndsDeleteFailedWithItsReasonKeepsTheServersAndTheNextDeleteWorks() {
    OSClientV3 os = login("s3cret");
    Stack stack = createAndWait(os, "mesh-t-east");
    cloud.failStackDeletes(
        "mesh-t-east", "Resource DELETE failed: Conflict: resources.port_0: port in use", 1);

    os.heat().stacks().delete("mesh-t-east", stack.getId());
    Stack failed =
        await()
            .pollInSameThread()
            .atMost(Duration.ofSeconds(10))
            .until(
                () -> os.heat().stacks().getDetails("mesh-t-east", stack.getId()),
                s -> s.getStatus().equals("DELETE_FAILED"));

    assertThat(failed.getStackStatusReason())
        .isEqualTo("Resource DELETE failed: Conflict: resources.port_0: port in use");
    assertThat(cloud.servers()).hasSize(2);
    assertThat(cloud.stackNames()).containsExactly("mesh-t-east");

    os.heat().stacks().delete("mesh-t-east", stack.getId());
    await()
        .pollInSameThread()
        .atMost(Duration.ofSeconds(10))
        .until(() -> os.heat().stacks().getStackByName("mesh-t-east") == null);
    assertThat(cloud.servers()).isEmpty();
  }

  @Test
  void failsTheStackLikeHeatWhenTheNetworkDoesNotExist() {
    OSClientV3 os = login("s3cret");
    os.heat()
        .stacks()
        .create("lost", TEMPLATE.replace("mesh-net", "no-such-net"), Map.of(), false, 10L);

    Stack failed =
        await()
            .pollInSameThread()
            .atMost(Duration.ofSeconds(10))
            .until(
                () -> os.heat().stacks().getStackByName("lost"),
                s -> s.getStatus().equals("CREATE_FAILED"));

    assertThat(failed.getStackStatusReason()).contains("Resource CREATE failed", "no-such-net");
  }

  private HttpResponse<String> post(String url, String token, String body)
      throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create(url))
            .header("X-Auth-Token", token)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> put(String url, String token, String body)
      throws IOException, InterruptedException {
    return put(url, token, body, null);
  }

  private HttpResponse<String> put(String url, String token, String body, String ifMatch)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(url))
            .header("X-Auth-Token", token)
            .header("Content-Type", "application/json")
            .PUT(HttpRequest.BodyPublishers.ofString(body));
    if (ifMatch != null) {
      request.header("If-Match", ifMatch);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static int freePort() throws IOException {
    try (var socket = new java.net.ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
