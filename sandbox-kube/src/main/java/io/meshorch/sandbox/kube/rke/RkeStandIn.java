package io.meshorch.sandbox.kube.rke;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import tools.jackson.databind.json.JsonMapper;

/**
 * The sandbox's {@code rke}: same command line as RKE1 for {@code --version}, {@code up} and {@code
 * remove}, same files written ({@code kube_config_cluster.yml}, {@code cluster.rkestate}, both
 * 0600), same exit codes; the cluster comes up in the sandbox instead of on the nodes.
 */
public final class RkeStandIn {
  static final String VERSION = "v1.8.6-sandbox";
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private RkeStandIn() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out));
  }

  /** Runs like {@code rke} and returns its exit code. */
  static int run(String[] args, PrintStream out) {
    String control = null;
    String command = null;
    Path config = Path.of("cluster.yml");
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--control") && i + 1 < args.length) {
        control = args[++i];
      } else if (a.equals("--version") || a.equals("-v")) {
        out.println("rke version " + VERSION);
        return 0;
      } else if (a.equals("--config") && i + 1 < args.length) {
        config = Path.of(args[++i]);
      } else if (a.startsWith("--config=")) {
        config = Path.of(a.substring("--config=".length()));
      } else if (!a.startsWith("-") && command == null) {
        command = a;
      }
    }
    if (command == null || control == null) {
      out.println("FATA[0000] usage: rke [--version] up|remove [--config cluster.yml]");
      return 1;
    }
    out.println("INFO[0000] Running RKE version: " + VERSION);
    try {
      Path file = config.toAbsolutePath();
      String yml = Files.readString(file, StandardCharsets.UTF_8);
      Map<String, Object> request = Map.of("clusterYml", yml, "dir", file.getParent().toString());
      HttpResponse<String> response =
          HttpClient.newBuilder()
              .connectTimeout(Duration.ofSeconds(10))
              .build()
              .send(
                  HttpRequest.newBuilder(URI.create(control + "/" + command))
                      .timeout(Duration.ofSeconds(60))
                      .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(request)))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      Map<?, ?> body = JSON.readValue(response.body(), Map.class);
      if (response.statusCode() != 200) {
        out.println("FATA[0000] " + body.get("error"));
        return 1;
      }
      if (command.equals("up")) {
        out.println("INFO[0000] Initiating Kubernetes cluster");
        out.println("INFO[0001] Building Kubernetes cluster");
        writePrivate(
            file.resolveSibling("kube_config_cluster.yml"), String.valueOf(body.get("kubeconfig")));
        writePrivate(
            file.resolveSibling("cluster.rkestate"),
            "{\"desiredState\":{\"certificatesBundle\":{\"kube-ca\":{\"key\":\""
                + UUID.randomUUID()
                + "\"}}}}\n");
        out.println("INFO[0002] Finished building Kubernetes cluster successfully");
      } else {
        out.println("INFO[0001] Cluster removed successfully");
      }
      return 0;
    } catch (IOException e) {
      out.println("FATA[0000] " + e.getMessage());
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      out.println("FATA[0000] interrupted");
      return 1;
    }
  }

  private static void writePrivate(Path path, String text) throws IOException {
    Files.deleteIfExists(path);
    Files.createFile(
        path, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(path, text, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
  }
}
