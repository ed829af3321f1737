package io.meshorch.sandbox.openstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshorch.sandbox.core.ClusterRef;
import io.meshorch.sandbox.core.SandboxLatencies;
import io.meshorch.sandbox.core.SandboxRecorder;
import io.meshorch.sandbox.core.SandboxStep;
import io.meshorch.sandbox.core.SideEffect;
import io.meshorch.sandbox.core.StepRecord;
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
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.connection.channel.direct.Session;
import net.schmizz.sshj.userauth.keyprovider.KeyPairWrapper;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Latencies, the step log and the side-effect counters, seen through the protocols. */
class SandboxCloudStepsTest {
  private static final String TEMPLATE =
      """
      heat_template_version: 2018-08-31
      resources:
        port_0:
          type: OS::Neutron::Port
          properties: {network: mesh-net}
        node_0:
          type: OS::Nova::Server
          properties:
            name: {list_join: ['-', [{get_param: 'OS::stack_name'}, node-0]]}
            image: ubuntu-22.04
            flavor: m1.large
            key_name: mesh
            networks: [{port: {get_resource: port_0}}]
            user_data: "#cloud-config\\npackages: [docker.io]\\nruncmd: [[usermod, -aG, docker, ubuntu]]\\n"
      outputs:
        port: {value: {get_resource: port_0}}
      """;

  private final HttpClient http = HttpClient.newHttpClient();
  private final JsonMapper json = JsonMapper.builder().build();
  private final SandboxRecorder recorder = new SandboxRecorder();
  private KeyPair userKey;
  private SandboxCloud cloud;
  private String token;

  private void start(String latencies) throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(256);
    userKey = generator.generateKeyPair();
    cloud =
        SandboxCloud.builder()
            .credentials("demo", "s3cret", "demo", "Default")
            .latencies(SandboxLatencies.parse(latencies))
            .recorder(recorder)
            .vmSubnet("127.11.0.0/16")
            .vmSshPort(freePort())
            .keypair("mesh", PublicKeyEntry.toString(userKey.getPublic()))
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
    if (cloud != null) {
      cloud.close();
    }
  }

  private HttpResponse<String> createStack(String name, String meshId) throws Exception {
    String body =
        json.writeValueAsString(
            java.util.Map.of(
                "stack_name",
                name,
                "template",
                TEMPLATE,
                "tags",
                "mesh:" + meshId,
                "timeout_mins",
                10));
    return send("POST", cloud.baseUrl() + "/heat/v1/" + cloud.projectId + "/stacks", body);
  }

  private String stackStatus(String name) throws Exception {
    HttpResponse<String> r =
        send("GET", cloud.baseUrl() + "/heat/v1/" + cloud.projectId + "/stacks?name=" + name, null);
    JsonNode stacks = json.readTree(r.body()).get("stacks");
    return stacks.isEmpty() ? null : stacks.get(0).get("stack_status").asString();
  }

  private SandboxServer server(String stack) {
    return await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                cloud.servers().stream()
                    .filter(s -> s.name().startsWith(stack + "-"))
                    .findFirst()
                    .orElse(null),
            s -> s != null);
  }

  @Test
  void serversBuildWhileTheVmBootsAndTheStackCompletesOnlyWhenTheyAreActive() throws Exception {
    start("fast,heat-stack=100ms,vm-boot=1s");
    Instant posted = Instant.now();

    assertThat(createStack("mesh-m1-west", "m1").statusCode()).isEqualTo(201);
    SandboxServer server = server("mesh-m1-west");

    assertThat(server.status()).isEqualTo("BUILD");
    assertThat(server.sshHostKeyFingerprint()).isEmpty();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> "CREATE_COMPLETE".equals(stackStatus("mesh-m1-west")));
    assertThat(server.status()).isEqualTo("ACTIVE");
    assertThat(server.sshHostKeyFingerprint()).isPresent();
    StepRecord boot = recorder.steps().records(SandboxStep.VM_BOOT).get(0);
    StepRecord stack = recorder.steps().records(SandboxStep.HEAT_STACK).get(0);
    assertThat(boot.cluster()).isEqualTo(new ClusterRef("m1", "west"));
    assertThat(boot.object()).isEqualTo("mesh-m1-west-node-0");
    assertThat(Duration.between(posted, boot.finishedAt()))
        .isGreaterThanOrEqualTo(Duration.ofSeconds(1));
    assertThat(stack.finishedAt()).isAfterOrEqualTo(boot.finishedAt());
    assertThat(stack.object()).isEqualTo("mesh-m1-west");
  }

  @Test
  void aLatencyTargetsOnlyTheNamedClusterOfItsMesh() throws Exception {
    start("fast,heat-stack=100ms,vm-boot=50ms,heat-stack@m1/slow=1500ms");

    createStack("mesh-m1-fast", "m1");
    createStack("mesh-m1-slow", "m1");
    createStack("mesh-m2-slow", "m2");

    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> "CREATE_COMPLETE".equals(stackStatus("mesh-m1-slow")));
    List<StepRecord> stacks = recorder.steps().records(SandboxStep.HEAT_STACK);
    assertThat(stacks)
        .extracting(r -> r.cluster().toString())
        .containsExactlyInAnyOrder("m1/fast", "m2/slow", "m1/slow");
    assertThat(stacks.get(2).cluster()).isEqualTo(new ClusterRef("m1", "slow"));
    assertThat(Duration.between(stacks.get(1).finishedAt(), stacks.get(2).finishedAt()))
        .isGreaterThan(Duration.ofSeconds(1));
  }

  @Test
  void cloudInitRunsForItsLatencyAndDockerAnswersOnlyAfterwards() throws Exception {
    start("fast,heat-stack=50ms,vm-boot=50ms,ssh-ready=2s");
    createStack("mesh-m1-west", "m1");
    SandboxServer server = server("mesh-m1-west");
    await().atMost(Duration.ofSeconds(10)).until(() -> server.status().equals("ACTIVE"));
    Instant done = server.cloudInitDone().orElseThrow();

    try (SSHClient ssh = connect(server)) {
      Run status = run(ssh, "cloud-init status");
      Run docker = run(ssh, "docker version --format '{{.Server.Version}}'");
      Instant before = Instant.now();
      Run waited = run(ssh, "cloud-init status --wait");
      Instant after = Instant.now();
      Run dockerLater = run(ssh, "docker version --format '{{.Server.Version}}'");

      assertThat(before).isBefore(done);
      assertThat(status.stdout().trim()).isEqualTo("status: running");
      assertThat(docker.exit()).isEqualTo(1);
      assertThat(docker.stderr()).contains(SandboxVm.DOCKER_DOWN);
      assertThat(after).isAfterOrEqualTo(done);
      assertThat(waited.exit()).isZero();
      assertThat(waited.stdout()).contains("status: done");
      assertThat(run(ssh, "cloud-init status").stdout().trim()).isEqualTo("status: done");
      assertThat(dockerLater.stdout().trim()).isEqualTo("24.0.9");
    }
    StepRecord ready = recorder.steps().records(SandboxStep.SSH_READY).get(0);
    assertThat(ready.finishedAt()).isEqualTo(done);
    assertThat(ready.object()).isEqualTo(server.name());
  }

  @Test
  void aStackCountsOnceAndADuplicateNotAndPairsCountOnlyWhenTheyChange() throws Exception {
    start("fast,heat-stack=50ms,vm-boot=50ms");
    assertThat(createStack("mesh-m1-west", "m1").statusCode()).isEqualTo(201);
    assertThat(createStack("mesh-m1-west", "m1").statusCode()).isEqualTo(409);
    String portId = server("mesh-m1-west").port.id;
    String url = cloud.baseUrl() + "/neutron/v2.0/ports/" + portId;
    String one = "{\"port\":{\"allowed_address_pairs\":[{\"ip_address\":\"192.168.50.10\"}]}}";
    String two =
        "{\"port\":{\"allowed_address_pairs\":[{\"ip_address\":\"192.168.50.10\"},"
            + "{\"ip_address\":\"192.168.50.11\"}]}}";

    assertThat(send("PUT", url, one).statusCode()).isEqualTo(200);
    assertThat(send("PUT", url, one).statusCode()).isEqualTo(200);
    long afterRepeat = cloud.counters().count(SideEffect.PORT_PAIRS_CHANGED, "west");
    assertThat(send("PUT", url, two).statusCode()).isEqualTo(200);

    assertThat(cloud.counters().count(SideEffect.HEAT_STACK_CREATED, new ClusterRef("m1", "west")))
        .isEqualTo(1);
    assertThat(afterRepeat).isEqualTo(1);
    assertThat(cloud.counters().total(SideEffect.PORT_PAIRS_CHANGED)).isEqualTo(2);
    assertThat(recorder.clusterOfNode(server("mesh-m1-west").fixedIp()))
        .contains(new ClusterRef("m1", "west"));
  }

  @Test
  void manyVmsShareAFewIoThreads() throws Exception {
    start("fast,heat-stack=50ms,vm-boot=50ms");
    for (int i = 0; i < 30; i++) {
      createStack("mesh-m1-c" + i, "m1");
    }
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                cloud.servers().size() == 30
                    && cloud.servers().stream().allMatch(s -> s.status().equals("ACTIVE")));

    for (SandboxServer server : cloud.servers()) {
      try (SSHClient ssh = connect(server)) {
        assertThat(run(ssh, "hostname").stdout().trim()).isEqualTo(server.name());
      }
    }

    // MINA's default is an I/O pool and a timer per daemon, about five threads each once a
    // client connected (150 here), named after the daemon; the shared ones do not grow with VMs.
    // (Counting the JVM's threads instead also counted whatever else the machine's load started.)
    List<String> threads =
        Thread.getAllStackTraces().keySet().stream().map(Thread::getName).toList();
    assertThat(threads).noneMatch(name -> name.contains("SshServer["));
    assertThat(threads.stream().filter(name -> name.contains("sandbox-vm-")))
        .hasSizeLessThanOrEqualTo(SharedSshIo.THREADS);
  }

  private SSHClient connect(SandboxServer server) throws IOException {
    SSHClient ssh = new SSHClient();
    ssh.addHostKeyVerifier(server.sshHostKeyFingerprint().orElseThrow());
    ssh.connect(server.fixedIp(), cloud.config.vmSshPort);
    ssh.authPublickey("ubuntu", new KeyPairWrapper(userKey));
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
