package io.meshorch.sandbox.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshorch.sandbox.core.ClusterRef;
import io.meshorch.sandbox.core.SandboxLatencies;
import io.meshorch.sandbox.core.SandboxRecorder;
import io.meshorch.sandbox.kube.rke.RkeStandIn;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A cluster's API server goes with its VMs, as on a cloud: nothing answers at its address. */
class DeletedVmsIT {
  @TempDir Path dir;
  private final SandboxRecorder recorder = new SandboxRecorder();
  private SandboxKube kube;

  @AfterEach
  void stop() {
    if (kube != null) {
      kube.close();
    }
  }

  @Test
  void aClusterStopsAnsweringOnceEveryOneOfItsVmsIsDeleted() throws Exception {
    // What the cloud sandbox does when Heat creates the servers: it registers their addresses.
    recorder.registerNode("127.21.7.1", new ClusterRef("m7", "east"));
    recorder.registerNode("127.21.7.99", new ClusterRef("m7", "east"));
    kube =
        SandboxKube.builder()
            .controllerInterval(Duration.ofMillis(200))
            .latencies(SandboxLatencies.parse("fast"))
            .recorder(recorder)
            .nodeLogins(false)
            .build()
            .start();
    // The fixture's cluster.yml has two nodes: the address given and the same /24 at .99.
    Path file = KubeFixture.clusterYml(dir, "east", "127.21.7.1", KubeFixture.validServices());
    assertThat(up(file)).isZero();
    URI api = URI.create(kube.cluster("east").orElseThrow().apiServerUrl() + "/api");
    assertThat(get(api)).isEqualTo(200);

    // One VM of two deleted: the cluster still runs on the other.
    recorder.forgetNode("127.21.7.1");
    assertThat(kube.cluster("east")).isPresent();
    assertThat(get(api)).isEqualTo(200);

    recorder.forgetNode("127.21.7.99");
    assertThat(kube.cluster("east")).isEmpty();
    // The server closes its listening socket as it stops: soon no connection is accepted.
    await("nothing listening at " + api)
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(100))
        .ignoreExceptionsMatching(e -> !(e instanceof ConnectException))
        .until(() -> refused(api));
  }

  /** A GET on a new connection each time (a kept-alive one would only see it closed). */
  private static int get(URI uri) throws Exception {
    HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    return http.send(
            HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  private static boolean refused(URI uri) throws Exception {
    try {
      get(uri);
      return false;
    } catch (ConnectException e) {
      return true;
    }
  }

  private int up(Path file) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    return RkeStandIn.run(
        new String[] {"up", "--config", file.toString()},
        new PrintStream(out, true, StandardCharsets.UTF_8),
        kube.rkeControlUrl().toString());
  }
}
