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
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code meshctl serve} as a user runs it: its own JVM, found by {@code up}, {@code down} and
 * {@code status} through the data folder alone (no {@code --bootstrap-server}), two meshes built on
 * it at the same time, then a third mesh's whole life on the same serve (up, a cluster added, one
 * removed with {@code --prune}, down, down again), checked by exit codes, {@code status -o json}
 * and the sandbox cloud's own OpenStack API, and finally stopped with SIGTERM.
 *
 * <p>A crash of infra-service in the middle of a teardown is not here but in the restart suite
 * ({@code ServiceRestartsIT}): {@code serve} runs the five services in one JVM together with the
 * sandbox, so killing infra-service alone is impossible, and killing {@code serve} would take the
 * sandbox's stacks (held in its memory) with it; there each service is its own JVM.
 */
class ServeE2E {
  /** JVM options of the serve JVM: only start-up speed (as the restart suite's service JVMs). */
  private static final List<String> JVM_OPTIONS =
      List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

  private static final JsonMapper JSON = JsonMapper.builder().build();

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
  @Timeout(value = 420, unit = TimeUnit.SECONDS)
  void twoMeshesAtOnceThenAMeshsWholeLifeOnOneServeThenSigtermStopsItCleanly() throws Exception {
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

    // helm-java unpacked its native library (94 MB) to render Cilium
    assertThat(unpackedByHelm()).as("helm-java's folder in serve's temporary folder").hasSize(1);
    // The dashboard's web server keeps its files in the data folder, not a new folder of the
    // machine's temporary folder per start (Spring Boot's default, which nothing deletes).
    assertThat(dir.resolve("dashboard").resolve("work")).as("Tomcat's work folder").isDirectory();
    assertThat(inTmp("tomcat")).as("Tomcat's folders in serve's temporary folder").isEmpty();

    aMeshGrowsLosesAClusterWithPruneAndIsDeletedAndASecondDownIsANoOp(dir);

    Map<String, JsonNode> all = status("status", dir);
    assertThat(tail("status.err"))
        .as("status says which bus it used")
        .startsWith("meshctl: using meshctl serve (pid " + serve.pid() + ", Kafka at ");
    assertThat(all)
        .as("status of every mesh, from the serve's broker")
        .hasEntrySatisfying("alpha", d -> assertThat(d.get("status").asString()).isEqualTo("READY"))
        .hasEntrySatisfying("beta", d -> assertThat(d.get("status").asString()).isEqualTo("READY"))
        .hasEntrySatisfying(
            "gone", d -> assertThat(d.get("status").asString()).isEqualTo("DELETED"));

    serve.destroy(); // SIGTERM
    assertThat(serve.waitFor(60, TimeUnit.SECONDS)).as("serve stopped after SIGTERM").isTrue();
    assertThat(serve.exitValue()).as("exit code of serve after SIGTERM").isZero();
    assertThat(ServeFile.path(dir)).as("the serve file, once stopped").doesNotExist();
    // serve ends with a halt, which deletes no file marked deleteOnExit: it deletes them itself
    assertThat(unpackedByHelm()).as("helm-java's folder, once serve stopped").isEmpty();
    Optional<DataDirLock> free = DataDirLock.tryAcquire(dir, "test");
    assertThat(free).as("the data folder, free for the next local mode").isPresent();
    free.get().close();
  }

  /**
   * A mesh's whole life on the running serve, as a user and an operator see it: {@code up} of east
   * and west; {@code up} with north (RKE2) added; {@code up} without west (refused), then with
   * {@code --prune}; {@code down}; {@code down} again. The commands find the serve through the data
   * folder; leftovers are looked for with the sandbox cloud's Heat and Neutron APIs, logged in with
   * the {@code clouds.yaml} the serve wrote.
   */
  private void aMeshGrowsLosesAClusterWithPruneAndIsDeletedAndASecondDownIsANoOp(Path dir)
      throws Exception {
    String east =
        "  - {name: east, id: 1, nodeCount: 1, podCidr: 10.171.0.0/16, serviceCidr:"
            + " 10.181.0.0/16, lbAddressPool: 192.168.71.10-192.168.71.19}\n";
    String west =
        "  - {name: west, id: 2, nodeCount: 1, podCidr: 10.172.0.0/16, serviceCidr:"
            + " 10.182.0.0/16, lbAddressPool: 192.168.72.10-192.168.72.19}\n";
    String north =
        "  - {name: north, id: 3, nodeCount: 1, podCidr: 10.173.0.0/16, serviceCidr:"
            + " 10.183.0.0/16, lbAddressPool: 192.168.73.10-192.168.73.19,"
            + " kubernetes: {distribution: rke2}}\n";
    Path two = lifeFile("gone-2.yaml", east + west);
    Path three = lifeFile("gone-3.yaml", east + west + north);
    Path withoutWest = lifeFile("gone-pruned.yaml", east + north);
    OperatorsOpenStack cloud = OperatorsOpenStack.login(dir.resolve("clouds.yaml"), "sandbox");

    assertThat(cli("up", "-f", two.toString(), "--data-dir", dir.toString()))
        .as("meshctl up of east and west, exit code")
        .isZero();
    Map<String, String> stacksOfTwo = cloud.stackIds("mesh-gone-");
    assertThat(stacksOfTwo).containsOnlyKeys("mesh-gone-east", "mesh-gone-west");

    // A third cluster: built and connected; east's and west's stacks are the same ones, and up
    // (as a process, to read what it printed) says their Kubernetes and Cilium were left alone.
    Process grow =
        meshctlJvm(
            work.resolve("up-grown.out"),
            "up",
            "-f",
            three.toString(),
            "--data-dir",
            dir.toString());
    assertThat(grow.waitFor(3, TimeUnit.MINUTES)).as("up with north added ended").isTrue();
    assertThat(grow.exitValue())
        .as("meshctl up with north added, exit code (output: %s)", tail("up-grown.out"))
        .isZero();
    List<String> printed = tail("up-grown.out").lines().map(String::strip).toList();
    for (String cluster : List.of("east", "west")) {
      assertThat(printed)
          .as("what up printed for %s when north was added", cluster)
          .filteredOn(line -> line.startsWith(cluster + " "))
          .satisfiesOnlyOnce(
              line ->
                  assertThat(line)
                      .endsWith("cluster already deployed as planned; its kubeconfig is stored"))
          .satisfiesOnlyOnce(
              line -> assertThat(line).endsWith("is installed and ready already; nothing written"));
    }
    assertThat(cloud.stackIds("mesh-gone-"))
        .as("Heat stacks of mesh gone after north was added")
        .containsAllEntriesOf(stacksOfTwo)
        .containsOnlyKeys("mesh-gone-east", "mesh-gone-west", "mesh-gone-north");
    JsonNode grown = status("status-grown", dir, "gone").get("gone");
    assertThat(grown.get("status").asString()).as("status of gone with north").isEqualTo("READY");
    Map<String, JsonNode> clusters = byName(grown.get("clusters"));
    assertThat(clusters).containsOnlyKeys("east", "west", "north");
    clusters.forEach(
        (name, c) ->
            assertThat(c.has("distribution") && c.has("version"))
                .as("status -o json names %s's distribution and version: %s", name, c)
                .isTrue());
    assertThat(clusters.get("east").get("distribution").asString()).isEqualTo("rke1");
    assertThat(clusters.get("north").get("distribution").asString()).isEqualTo("rke2");
    assertThat(clusters.get("north").get("version").asString())
        .as("north's RKE2 release")
        .isNotBlank();
    assertThat(clusters.get("east").get("version").asString())
        .as("east's version, left to rke's default and read from its state")
        .isEqualTo(io.meshorch.sandbox.kube.rke.RkeStandIn.DEFAULT_KUBERNETES_VERSION);
    assertThat(remoteClusters(clusters.get("east"))).containsExactlyInAnyOrder("west", "north");
    String westIp = clusters.get("west").get("meshEndpointIp").asString();
    assertThat(cloud.portsAllowing(westIp))
        .as("ports allowing west's mesh endpoint %s", westIp)
        .isNotEmpty();

    // west left out: refused without --prune (nothing changes), then pruned.
    assertThat(cli("up", "-f", withoutWest.toString(), "--data-dir", dir.toString()))
        .as("meshctl up without west, exit code")
        .isEqualTo(2);
    assertThat(cloud.stackIds("mesh-gone-")).as("stacks after the refused up").hasSize(3);
    assertThat(cli("up", "-f", withoutWest.toString(), "--prune", "--data-dir", dir.toString()))
        .as("meshctl up --prune without west, exit code")
        .isZero();
    assertThat(cloud.stackIds("mesh-gone-"))
        .as("Heat stacks of mesh gone after west was pruned")
        .containsOnlyKeys("mesh-gone-east", "mesh-gone-north")
        .containsEntry("mesh-gone-east", stacksOfTwo.get("mesh-gone-east"));
    assertThat(cloud.portsAllowing(westIp))
        .as("ports allowing the pruned west's mesh endpoint %s", westIp)
        .isEmpty();
    JsonNode pruned = status("status-pruned", dir, "gone").get("gone");
    assertThat(pruned.get("status").asString())
        .as("status of gone without west")
        .isEqualTo("READY");
    clusters = byName(pruned.get("clusters"));
    assertThat(clusters).containsOnlyKeys("east", "north");
    assertThat(remoteClusters(clusters.get("east"))).containsExactly("north");
    assertThat(remoteClusters(clusters.get("north"))).containsExactly("east");
    List<String> survivorIps =
        List.of(
            clusters.get("east").get("meshEndpointIp").asString(),
            clusters.get("north").get("meshEndpointIp").asString());
    assertThat(filesOf(dir.resolve("rke").resolve("gone").resolve("west")))
        .as("RKE state of west in the data folder")
        .isEmpty();

    assertThat(cli("down", "gone", "--data-dir", dir.toString()))
        .as("meshctl down exit code")
        .isZero();
    assertThat(cloud.stackIds("mesh-gone-")).as("Heat stacks of mesh gone after down").isEmpty();
    for (String ip : survivorIps) {
      assertThat(cloud.portsAllowing(ip)).as("ports allowing %s after down", ip).isEmpty();
    }
    assertThat(filesOf(dir.resolve("secrets").resolve("meshes").resolve("gone")))
        .as("secrets of mesh gone")
        .isEmpty();
    assertThat(filesOf(dir.resolve("rke").resolve("gone"))).as("RKE state of mesh gone").isEmpty();

    assertThat(cli("down", "gone", "--data-dir", dir.toString()))
        .as("second meshctl down exit code")
        .isZero();
    assertThat(cloud.stackIds("mesh-gone-")).as("Heat stacks after the second down").isEmpty();
  }

  private Path lifeFile(String name, String clusters) throws IOException {
    Path file = work.resolve(name);
    Files.writeString(
        file,
        """
        mesh: gone
        defaults:
          machine: {image: ubuntu-22.04, flavor: m1.large, network: mesh-net, keyName: mesh, sshUser: ubuntu}
        clusters:
        """
            + clusters,
        StandardCharsets.UTF_8);
    return file;
  }

  /** meshctl through its entry point in this JVM, as {@code ./meshctl} would run it. */
  private static int cli(String... args) {
    return MeshCtl.run(args);
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

  /** The folders helm-java unpacked its native library into, in the JVMs' temporary folder. */
  private List<Path> unpackedByHelm() throws IOException {
    return inTmp("helm-java");
  }

  /** What serve's temporary folder holds whose name starts with {@code prefix}. */
  private List<Path> inTmp(String prefix) throws IOException {
    try (Stream<Path> tmp = Files.list(work.resolve("tmp"))) {
      return tmp.filter(p -> p.getFileName().toString().startsWith(prefix)).toList();
    }
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
    // What the JVMs unpack stays in this test's folder (which JUnit deletes), where the test sees
    // it, not in the machine's /tmp.
    Path tmp = Files.createDirectories(work.resolve("tmp"));
    command.add("-Djava.io.tmpdir=" + tmp);
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

  /**
   * {@code meshctl status [args] -o json} as its own JVM given only the data folder (stdout into
   * {@code name.out}, stderr into {@code name.err}): exit code 0, and each mesh's JSON document by
   * mesh ID.
   */
  private Map<String, JsonNode> status(String name, Path dir, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("status"));
    command.addAll(List.of(args));
    command.addAll(List.of("--data-dir", dir.toString(), "-o", "json"));
    Process status =
        meshctlJvm(
            work.resolve(name + ".out"),
            work.resolve(name + ".err"),
            command.toArray(String[]::new));
    assertThat(status.waitFor(60, TimeUnit.SECONDS)).as("%s ended", command).isTrue();
    assertThat(status.exitValue())
        .as("%s exit code (stderr: %s)", command, tail(name + ".err"))
        .isZero();
    String json = Files.readString(work.resolve(name + ".out"), StandardCharsets.UTF_8);
    Map<String, JsonNode> docs = new java.util.TreeMap<>();
    try (var values = JSON.readerFor(JsonNode.class).<JsonNode>readValues(json)) {
      values.forEachRemaining(d -> docs.put(d.get("meshId").asString(), d));
    }
    return docs;
  }

  /** A JSON array of clusters (each with {@code name}) by name. */
  private static Map<String, JsonNode> byName(JsonNode clusters) {
    Map<String, JsonNode> out = new java.util.TreeMap<>();
    for (int i = 0; i < clusters.size(); i++) {
      out.put(clusters.get(i).get("name").asString(), clusters.get(i));
    }
    return out;
  }

  /** The clusters a cluster's agents see nodes of ({@code remoteNodes[].cluster}). */
  private static List<String> remoteClusters(JsonNode cluster) {
    List<String> out = new ArrayList<>();
    JsonNode remotes = cluster.get("remoteNodes");
    for (int i = 0; i < remotes.size(); i++) {
      out.add(remotes.get(i).get("cluster").asString());
    }
    return out;
  }

  private static List<Path> filesOf(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return List.of();
    }
    try (var files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).toList();
    }
  }

  private String tail(String name) throws IOException {
    Path file = work.resolve(name);
    return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
  }
}
