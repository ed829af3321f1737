package io.meshorch.meshctl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshorch.meshctl.local.DataDirLock;
import io.meshorch.meshctl.local.ServeFile;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code meshctl serve} as a user runs it: its own JVM, found by {@code up} and {@code status}
 * through the data folder alone (no {@code --bootstrap-server}), two meshes built on it at the same
 * time, then stopped with SIGTERM.
 */
class ServeE2E {
  /** JVM options of the serve JVM: only start-up speed (as the restart suite's service JVMs). */
  private static final List<String> JVM_OPTIONS =
      List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

  @TempDir Path work;

  private final List<Process> started = new ArrayList<>();

  @AfterEach
  void endWhatIsLeft() throws InterruptedException {
    for (Process p : started) {
      if (p.isAlive()) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  @Timeout(value = 300, unit = TimeUnit.SECONDS)
  void twoMeshesAtOnceOnOneServeThenSigtermStopsItCleanly() throws Exception {
    Path dir = work.resolve("home");
    Process serve = meshctlJvm(work.resolve("serve.out"), "serve", "--data-dir", dir.toString());

    await("serve.json of the running serve")
        .atMost(Duration.ofSeconds(150))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> Files.exists(ServeFile.path(dir)) || !serve.isAlive());
    assertThat(serve.isAlive()).as("serve runs (output: %s)", tail("serve.out")).isTrue();
    ServeFile file = ServeFile.read(dir);
    assertThat(file.pid()).isEqualTo(serve.pid());
    assertThat(file.log()).isEqualTo(dir.resolve("logs").resolve("meshctl.log"));

    // A second serve for the folder is refused while the first keeps running.
    Process second = meshctlJvm(work.resolve("second.out"), "serve", "--data-dir", dir.toString());
    Path meshA = meshFile("alpha", "10.141.0.0/16", "10.241.0.0/16", "192.168.80.10-192.168.80.19");
    Path meshB = meshFile("beta", "10.142.0.0/16", "10.242.0.0/16", "192.168.81.10-192.168.81.19");

    // Two meshes at once, through the CLI entry point, given only the data folder: had they not
    // found the serve, their local mode would have been refused the folder (exit 1).
    CompletableFuture<Integer> alpha = up(meshA, dir);
    CompletableFuture<Integer> beta = up(meshB, dir);

    assertThat(second.waitFor(60, TimeUnit.SECONDS)).as("second serve ended").isTrue();
    assertThat(second.exitValue()).as("exit code of a second serve").isEqualTo(1);
    assertThat(tail("second.out"))
        .as("the second serve names the first")
        .contains("meshctl serve already runs for " + dir + " (pid " + serve.pid());
    assertThat(alpha.get(3, TimeUnit.MINUTES)).as("meshctl up alpha exit code").isZero();
    assertThat(beta.get(3, TimeUnit.MINUTES)).as("meshctl up beta exit code").isZero();

    // The dashboard it printed shows both meshes ready.
    Matcher dashboard = Pattern.compile("dashboard: +(http://\\S+/)").matcher(tail("serve.out"));
    assertThat(dashboard.find())
        .as("serve prints its dashboard's URL: %s", tail("serve.out"))
        .isTrue();
    HttpClient http = HttpClient.newHttpClient();
    await("alpha and beta READY on the dashboard")
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                http.send(
                        HttpRequest.newBuilder(URI.create(dashboard.group(1) + "api/meshes"))
                            .build(),
                        HttpResponse.BodyHandlers.ofString())
                    .body(),
            body ->
                body.contains("{\"meshId\":\"alpha\",\"state\":\"READY\"")
                    && body.contains("{\"meshId\":\"beta\",\"state\":\"READY\""));

    Process status =
        meshctlJvm(
            work.resolve("status.out"),
            work.resolve("status.err"),
            "status",
            "--data-dir",
            dir.toString(),
            "-o",
            "json");
    assertThat(status.waitFor(60, TimeUnit.SECONDS)).as("status ended").isTrue();
    assertThat(status.exitValue()).as("status exit code (stderr: %s)", tail("status.err")).isZero();
    assertThat(tail("status.err"))
        .as("status says which bus it used")
        .startsWith("meshctl: using meshctl serve (pid " + serve.pid() + ", Kafka at ");
    assertThat(statusByMesh(work.resolve("status.out")))
        .as("status of every mesh, from the serve's broker")
        .containsEntry("alpha", "READY")
        .containsEntry("beta", "READY");

    serve.destroy(); // SIGTERM
    assertThat(serve.waitFor(60, TimeUnit.SECONDS)).as("serve stopped after SIGTERM").isTrue();
    assertThat(serve.exitValue()).as("exit code of serve after SIGTERM").isZero();
    assertThat(ServeFile.path(dir)).as("the serve file, once stopped").doesNotExist();
    Optional<DataDirLock> free = DataDirLock.tryAcquire(dir, "test");
    assertThat(free).as("the data folder, free for the next local mode").isPresent();
    free.get().close();
  }

  private Path meshFile(String meshId, String pods, String services, String pool)
      throws IOException {
    Path file = work.resolve(meshId + ".yaml");
    Files.writeString(
        file,
        """
        mesh: %s
        defaults:
          machine: {image: ubuntu-22.04, flavor: m1.large, network: mesh-net, keyName: mesh, sshUser: ubuntu}
        clusters:
          - {name: east, id: 1, nodeCount: 1, podCidr: %s, serviceCidr: %s, lbAddressPool: %s}
        """
            .formatted(meshId, pods, services, pool),
        StandardCharsets.UTF_8);
    return file;
  }

  private static CompletableFuture<Integer> up(Path meshFile, Path dir) {
    return CompletableFuture.supplyAsync(
        () ->
            MeshCtl.run(
                "up", "-f", meshFile.toString(), "--data-dir", dir.toString(), "-o", "json"));
  }

  /** {@code meshctl args...} as its own JVM on this test's class path, output into {@code out}. */
  private Process meshctlJvm(Path out, String... args) throws IOException {
    return meshctlJvm(out, null, args);
  }

  /** {@link #meshctlJvm(Path, String...)} with stderr into {@code err} (null: into {@code out}). */
  private Process meshctlJvm(Path out, Path err, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(JVM_OPTIONS);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(MeshCtl.class.getName());
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile());
    if (err == null) {
      builder.redirectErrorStream(true);
    } else {
      builder.redirectError(err.toFile());
    }
    builder.environment().remove("MESH_KAFKA_BOOTSTRAP");
    // A client's own log (serve's goes to its data folder) stays in this test's folder.
    builder.environment().put("MESHCTL_LOG_DIR", work.resolve("client-logs").toString());
    Process p = builder.start();
    started.add(p);
    return p;
  }

  /** The mesh IDs and statuses of {@code status -o json} (one JSON document per mesh). */
  private static Map<String, String> statusByMesh(Path out) throws IOException {
    String json = Files.readString(out, StandardCharsets.UTF_8);
    JsonMapper mapper = JsonMapper.builder().build();
    List<JsonNode> docs = new ArrayList<>();
    try (var values = mapper.readerFor(JsonNode.class).<JsonNode>readValues(json)) {
      values.forEachRemaining(docs::add);
    }
    return docs.stream()
        .collect(
            Collectors.toMap(d -> d.get("meshId").asString(), d -> d.get("status").asString()));
  }

  private String tail(String name) throws IOException {
    Path file = work.resolve(name);
    return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
  }
}
