package io.meshorch.meshctl.cli;

import io.meshorch.local.SandboxPlatform;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code meshctl sandbox}: the sandbox cloud alone, for services run elsewhere (their own JVMs or
 * containers) against a Kafka cluster of their own; prints and writes the settings each service
 * needs to use it, and runs until stopped.
 */
@Command(
    name = "sandbox",
    description = {
      "Run the sandbox cloud alone (OpenStack APIs, SSH daemons as VMs, the rke stand-in,"
          + " Kubernetes API servers) until stopped, and print the settings the five services"
          + " need to use it.",
      "Each service's settings are also written to <data-dir>/settings/<service>.properties:"
          + " start a service with --spring.config.additional-location=file:<that file>"
          + " --spring.kafka.bootstrap-servers=<your brokers>."
    })
public final class SandboxCommand implements Callable<Integer> {
  @Option(
      names = "--data-dir",
      defaultValue = "${env:MESHCTL_HOME:-.meshctl}/sandbox",
      description =
          "Folder of the sandbox's files: clouds.yaml, SSH key, rke script, secrets, RKE work"
              + " folder (default: ${DEFAULT-VALUE}).")
  Path dataDir;

  @Mixin SandboxLatencyOption latency;

  @Mixin SandboxRateLimitOption rateLimit;

  @Override
  public Integer call() throws Exception {
    rateLimit.limits(); // a bad spec is a usage error before anything starts
    SandboxPlatform sandbox = SandboxPlatform.start(dataDir, latency.latencies());
    rateLimit.applyTo(sandbox.cloud());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  sandbox.close();
                  stopped.countDown();
                },
                "meshctl-sandbox-stop"));
    print(sandbox, System.out);
    stopped.await();
    return Exit.READY;
  }

  private void print(SandboxPlatform sandbox, PrintStream out) throws IOException {
    Path settings = dataDir.toAbsolutePath().resolve("settings");
    Files.createDirectories(settings);
    out.println("meshctl sandbox: running; Ctrl-C stops it.");
    out.println("  OpenStack (Keystone v3): " + sandbox.cloud().identityUrl());
    out.println("  latencies: " + sandbox.latencies().describe());
    if (rateLimit.given()) {
      out.println("  rate limits: " + rateLimit.limits());
    }
    out.println("Settings of the services (plus --spring.kafka.bootstrap-servers=<brokers>):");
    for (String service : SandboxPlatform.SERVICES) {
      Map<String, String> props = new TreeMap<>(sandbox.settings(service));
      Path file = settings.resolve(service + ".properties");
      StringBuilder text = new StringBuilder();
      props.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
      Files.writeString(file, text.toString(), StandardCharsets.UTF_8);
      out.println("  " + service + "  (" + file + ")");
      props.forEach((k, v) -> out.println("    --" + k + "=" + v));
    }
    out.flush();
  }
}
