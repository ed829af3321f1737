package io.meshorch.meshctl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshorch.contracts.EventCodec;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.ProgressReported;
import io.meshorch.contracts.Stage;
import io.meshorch.contracts.Topics;
import io.meshorch.meshctl.local.LocalDashboard;
import io.meshorch.meshctl.local.LocalStack;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The dashboard in a real browser (Debian's headless Chromium through chromedriver) against local
 * mode: a mesh's clusters move through the stages on the open page and end READY; a failed mesh
 * shows its stage and cause; text from events is shown as text. Screenshots go to {@code
 * target/dashboard-*.png}. Without Chromium the test fails: it must run wherever the build runs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardBrowserE2E {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final Duration MESH_TIMEOUT = Duration.ofSeconds(120);

  @TempDir static Path data;
  @TempDir static Path browserProfile;
  private LocalStack stack;
  private LocalDashboard dashboard;
  private ChromeDriver browser;

  @BeforeAll
  void start() {
    assertThat(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER))
        .as(
            "the dashboard's browser test needs %s and %s (Debian: apt-get install -y chromium"
                + " chromium-driver; .ci/run installs them)",
            CHROMIUM, CHROMEDRIVER)
        .isTrue();
    // Mesh "live": each cluster's `rke up` takes 3 s, long enough to see it running on the page.
    stack = LocalStack.start(data, true, LocalStack.DEFAULT_LATENCIES.with("rke-up@live/*=3s"));
    dashboard = LocalDashboard.start(stack.bootstrapServers(), 0);
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1440,860",
        "--user-data-dir=" + browserProfile);
    browser =
        new ChromeDriver(
            new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).build(),
            options);
  }

  @AfterAll
  void stop() {
    if (browser != null) {
      browser.quit();
    }
    if (dashboard != null) {
      dashboard.close();
    }
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void showsAMeshsClustersMovingThroughTheStagesLiveAndEndingReady() throws Exception {
    browser.get(dashboard.meshUrl("live"));
    await("the page's stream")
        .atMost(Duration.ofSeconds(30))
        .until(() -> "live".equals(text("#connection")));
    js("window.__sameDocument = true;");
    Path file =
        meshFile(
            "live",
            "{name: east, id: 1, nodeCount: 2, podCidr: 10.151.0.0/16, serviceCidr: 10.251.0.0/16,"
                + " lbAddressPool: 192.168.91.10-192.168.91.19}",
            "{name: west, id: 2, nodeCount: 1, podCidr: 10.152.0.0/16, serviceCidr: 10.252.0.0/16,"
                + " lbAddressPool: 192.168.92.10-192.168.92.19}");
    CompletableFuture<Integer> up =
        CompletableFuture.supplyAsync(() -> meshctl("up", "-f", file.toString()));

    // While `rke up` runs: the VMs are done and Kubernetes is running, for both clusters at once.
    await("east and west with their VMs done and Kubernetes running")
        .atMost(MESH_TIMEOUT)
        .pollInterval(Duration.ofMillis(100))
        .until(
            () ->
                List.of("east", "west").stream()
                    .allMatch(
                        c ->
                            "DONE".equals(cellState(c, Stage.VMS))
                                && "RUNNING".equals(cellState(c, Stage.KUBERNETES))));
    assertThat(text("#mesh-state")).isEqualTo("in progress");
    assertThat(cellState("east", Stage.MESH)).isEqualTo("PENDING");
    screenshot("dashboard-in-progress.png");

    assertThat(up.get(MESH_TIMEOUT.toSeconds(), TimeUnit.SECONDS))
        .as("meshctl up exit code")
        .isZero();
    await("mesh live READY on the page")
        .atMost(Duration.ofSeconds(10))
        .until(() -> "ready".equals(text("#mesh-state")));
    for (String cluster : List.of("east", "west")) {
      for (String stage :
          List.of(
              Stage.VMS,
              Stage.KUBERNETES,
              Stage.CNI,
              Stage.LOAD_BALANCER,
              Stage.PORTS,
              Stage.MESH)) {
        assertThat(cellState(cluster, stage)).as("%s of %s", stage, cluster).isEqualTo("DONE");
      }
    }
    assertThat(text("#nodes tr[data-cluster='east'] td.sees"))
        .isEqualTo("west: mesh-live-west-node-0");
    assertThat(js("return window.__sameDocument === true;"))
        .as("the page was updated in place, never reloaded")
        .isEqualTo(true);
    assertThat(text("#meshes tr[data-mesh='live']")).contains("ready");
    screenshot("dashboard-ready.png");
  }

  @Test
  void aFailedMeshShowsItsStageAndCauseWhenOpenedById() throws Exception {
    browser.get(dashboard.url());
    await("the page's stream")
        .atMost(Duration.ofSeconds(30))
        .until(() -> "live".equals(text("#connection")));
    Path file =
        Files.writeString(
            data.resolve("lost.yaml"),
            """
            mesh: lost
            defaults:
              machine: {image: ubuntu-22.04, flavor: m1.large, network: no-such-network, keyName: mesh, sshUser: ubuntu}
            clusters:
              - {name: east, id: 1, nodeCount: 1, podCidr: 10.153.0.0/16, serviceCidr: 10.253.0.0/16, lbAddressPool: 192.168.93.10-192.168.93.19}
            """,
            StandardCharsets.UTF_8);
    assertThat(meshctl("up", "-f", file.toString())).as("meshctl up exit code").isEqualTo(1);

    // Opened by typing its ID into the filter.
    browser.findElement(By.id("filter")).sendKeys("lost", Keys.ENTER);
    await("mesh lost FAILED on the page")
        .atMost(Duration.ofSeconds(10))
        .until(() -> "failed".equals(text("#mesh-state")));
    assertThat(browser.getCurrentUrl()).endsWith("#/mesh/lost");
    assertThat(
            js(
                "return [...document.querySelectorAll('#meshes tbody tr')].map(r => r.dataset.mesh);"))
        .as("the list filtered by ID")
        .isEqualTo(List.of("lost"));
    assertThat(cellState("east", Stage.VMS)).isEqualTo("FAILED");
    assertThat(cellState("east", Stage.KUBERNETES)).isEqualTo("PENDING");
    assertThat(text("#failures tbody tr td.stage")).isEqualTo(Stage.VMS);
    assertThat(text("#failures tbody tr td.reason")).contains("no-such-network");
    screenshot("dashboard-failed.png");
  }

  @Test
  void showsTextFromEventsAsTextNeverAsMarkup() throws Exception {
    String markup = "<img src=x onerror=\"window.__injected = 1\">";
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(
            Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()),
            new StringSerializer(),
            new ByteArraySerializer())) {
      EventEnvelope event =
          EventEnvelope.create(
              "xss", "<b>east</b>", null, "test", new ProgressReported(Stage.CNI, markup));
      producer.send(new ProducerRecord<>(Topics.CNI, "xss", new EventCodec().encode(event))).get();
    }
    browser.get(dashboard.meshUrl("xss"));

    await("mesh xss on the page")
        .atMost(Duration.ofSeconds(30))
        .until(() -> markup.equals(text("td.cell[data-stage='cni'] .msg")));
    assertThat(text("#grid tbody td.cluster")).isEqualTo("<b>east</b>");
    assertThat(js("return document.querySelectorAll('#detail img, #detail b').length;"))
        .isEqualTo(0L);
    assertThat(js("return window.__injected === undefined;")).isEqualTo(true);
  }

  private int meshctl(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--bootstrap-server", stack.bootstrapServers(), "--output", "json"));
    return MeshCtl.run(all.toArray(String[]::new));
  }

  private Path meshFile(String meshId, String... clusters) throws IOException {
    StringBuilder yaml =
        new StringBuilder("mesh: ")
            .append(meshId)
            .append(
                "\ndefaults:\n  machine: {image: ubuntu-22.04, flavor: m1.large, network: mesh-net,"
                    + " keyName: mesh, sshUser: ubuntu}\nclusters:\n");
    for (String c : clusters) {
      yaml.append("  - ").append(c).append('\n');
    }
    return Files.writeString(data.resolve(meshId + ".yaml"), yaml, StandardCharsets.UTF_8);
  }

  private Object js(String script) {
    return ((JavascriptExecutor) browser).executeScript(script);
  }

  /**
   * The text of the first element matching {@code css}, or null; read in one script, never stale.
   */
  private String text(String css) {
    return (String)
        ((JavascriptExecutor) browser)
            .executeScript(
                "const e = document.querySelector(arguments[0]); return e ? e.textContent : null;",
                css);
  }

  private String cellState(String cluster, String stage) {
    return (String)
        ((JavascriptExecutor) browser)
            .executeScript(
                "const e = [...document.querySelectorAll('td.cell')].find("
                    + "c => c.dataset.cluster === arguments[0] && c.dataset.stage === arguments[1]);"
                    + " return e ? e.dataset.state : null;",
                cluster,
                stage);
  }

  private void screenshot(String name) throws IOException {
    Path target = Path.of("target");
    Files.createDirectories(target);
    Files.copy(
        browser.getScreenshotAs(OutputType.FILE).toPath(),
        target.resolve(name),
        StandardCopyOption.REPLACE_EXISTING);
  }
}
