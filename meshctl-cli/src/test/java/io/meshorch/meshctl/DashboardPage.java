package io.meshorch.meshctl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshorch.meshctl.local.LocalDashboard;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The dashboard of a local platform, started in the test's process, and its page in Debian's
 * headless Chromium through chromedriver. Everything is read from the page with one script per
 * question, so the page's re-rendering never leaves a stale element in the test's hands. Without
 * Chromium it fails: the browser test must run wherever the build runs.
 */
final class DashboardPage implements AutoCloseable {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  private final LocalDashboard dashboard;
  private final ChromeDriver browser;

  private DashboardPage(LocalDashboard dashboard, ChromeDriver browser) {
    this.dashboard = dashboard;
    this.browser = browser;
  }

  /**
   * Starts the dashboard on {@code bootstrapServers} and a browser, with their files (the
   * dashboard's web server, a fresh browser profile) in {@code dir}.
   */
  static DashboardPage start(String bootstrapServers, Path dir) throws IOException {
    Path profile = Files.createTempDirectory(dir, "chromium-profile");
    assertThat(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER))
        .as(
            "the dashboard's browser test needs %s and %s (Debian: apt-get install -y chromium"
                + " chromium-driver; .ci/run installs them)",
            CHROMIUM, CHROMEDRIVER)
        .isTrue();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    // Without the background-networking flags Chromium keeps calling Google's hosts, refused here.
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
        "--user-data-dir=" + profile);
    LocalDashboard dashboard = LocalDashboard.start(bootstrapServers, 0, dir);
    try {
      return new DashboardPage(
          dashboard,
          new ChromeDriver(
              new ChromeDriverService.Builder()
                  .usingDriverExecutable(CHROMEDRIVER.toFile())
                  .build(),
              options));
    } catch (RuntimeException e) {
      dashboard.close();
      throw e;
    }
  }

  LocalDashboard dashboard() {
    return dashboard;
  }

  /** Opens {@code url} and waits until the page's event stream is live. */
  void open(String url) {
    browser.get(url);
    await("the page's event stream")
        .atMost(Duration.ofSeconds(30))
        .until(() -> "live".equals(text("#connection")));
  }

  void type(String elementId, CharSequence... keys) {
    browser.findElement(By.id(elementId)).sendKeys(keys);
  }

  String currentUrl() {
    return browser.getCurrentUrl();
  }

  Object js(String script) {
    return ((JavascriptExecutor) browser).executeScript(script);
  }

  /** The text of the first element matching {@code css}, or null. */
  String text(String css) {
    return (String)
        ((JavascriptExecutor) browser)
            .executeScript(
                "const e = document.querySelector(arguments[0]); return e ? e.textContent : null;",
                css);
  }

  /** The state (PENDING, RUNNING, DONE, FAILED) of a cell of the open mesh's grid, or null. */
  String cellState(String cluster, String stage) {
    return (String)
        ((JavascriptExecutor) browser)
            .executeScript(
                "const e = [...document.querySelectorAll('td.cell')].find("
                    + "c => c.dataset.cluster === arguments[0] && c.dataset.stage === arguments[1]);"
                    + " return e ? e.dataset.state : null;",
                cluster,
                stage);
  }

  /** Saves what the browser shows as {@code target/<name>}. */
  void screenshot(String name) throws IOException {
    Path target = Path.of("target");
    Files.createDirectories(target);
    Files.copy(
        browser.getScreenshotAs(OutputType.FILE).toPath(),
        target.resolve(name),
        StandardCopyOption.REPLACE_EXISTING);
  }

  @Override
  public void close() {
    try {
      browser.quit();
    } finally {
      dashboard.close();
    }
  }
}
