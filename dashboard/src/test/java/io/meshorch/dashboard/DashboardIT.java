package io.meshorch.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshorch.contracts.ClusterFailed;
import io.meshorch.contracts.EventCodec;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.MeshEvent;
import io.meshorch.contracts.MeshRequested;
import io.meshorch.contracts.ProgressReported;
import io.meshorch.contracts.Stage;
import io.meshorch.contracts.Topics;
import io.meshorch.testkit.Samples;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
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
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.context.EmbeddedKafka;

/**
 * The dashboard application on a real broker: what was on the topics before it started is in its
 * view, what comes later is pushed on the open stream, and the page is served.
 */
@SpringBootTest(
    classes = DashboardApplication.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "spring.config.name=" + DashboardApplication.CONFIG_NAME,
      "spring.kafka.bootstrap-servers=${spring.embedded.kafka.brokers}",
      // Tomcat's files under target/, not a folder per run left in the machine's /tmp
      "server.tomcat.basedir=target/tomcat",
      "mesh.dashboard.push-interval=100ms",
    })
@EmbeddedKafka(
    brokerProperties = "auto.create.topics.enable=false",
    topics = {Topics.REQUESTS, Topics.INFRA, Topics.RKE, Topics.CNI, Topics.LB, Topics.MESH},
    partitions = 2)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardIT {
  private static final EventCodec CODEC = new EventCodec();

  @Autowired EmbeddedKafkaBroker broker;
  @LocalServerPort int port;

  private KafkaProducer<String, byte[]> producer;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  void producer() {
    producer =
        new KafkaProducer<>(
            Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString()),
            new StringSerializer(),
            new ByteArraySerializer());
  }

  @AfterAll
  void close() {
    producer.close();
  }

  @Test
  void pushesTheHistoryThenEachChangeOfAMeshOnTheStream() throws Exception {
    publish(
        Topics.REQUESTS, "alpha", null, new MeshRequested(List.of(Samples.cluster("east", 1, 1))));
    await("mesh alpha in the view")
        .atMost(Duration.ofSeconds(30))
        .until(() -> get("/api/meshes/alpha").statusCode() == 200);

    List<String> lines = new CopyOnWriteArrayList<>();
    HttpResponse<InputStream> stream =
        http.send(
            HttpRequest.newBuilder(uri("/api/stream"))
                .header("Accept", "text/event-stream")
                .build(),
            HttpResponse.BodyHandlers.ofInputStream());
    assertThat(stream.headers().firstValue("Content-Type"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("text/event-stream"));
    Thread reader = new Thread(() -> readLines(stream.body(), lines), "sse-reader");
    reader.setDaemon(true);
    reader.start();
    try {
      await("the snapshot")
          .atMost(Duration.ofSeconds(10))
          .until(() -> lines.contains("event:snapshot"));
      assertThat(String.join("\n", lines)).contains("\"meshId\":\"alpha\"");

      publish(
          Topics.INFRA,
          "alpha",
          "east",
          new ClusterFailed(Stage.VMS, "NETWORK_NOT_FOUND", "no network <b>x</b>", false));

      await("alpha's failure pushed")
          .atMost(Duration.ofSeconds(30))
          .until(() -> lines.stream().anyMatch(l -> l.contains("NETWORK_NOT_FOUND")));
      String pushed =
          lines.stream().filter(l -> l.contains("NETWORK_NOT_FOUND")).findFirst().orElseThrow();
      assertThat(lines.get(lines.indexOf(pushed) - 1)).isEqualTo("event:mesh");
      assertThat(pushed)
          .contains("\"state\":\"IN_PROGRESS\"", "\"stage\":\"vms\"", "\"state\":\"FAILED\"");
    } finally {
      stream.body().close();
      reader.join(TimeUnit.SECONDS.toMillis(5));
    }
  }

  @Test
  void skipsRecordsThatAreNotEventsAndKeepsReading() throws Exception {
    producer
        .send(new ProducerRecord<>(Topics.CNI, "beta", "not json".getBytes(StandardCharsets.UTF_8)))
        .get();
    publish(Topics.CNI, "beta", "east", new ProgressReported(Stage.CNI, "cilium 1/2 agents ready"));

    await("mesh beta's progress")
        .atMost(Duration.ofSeconds(30))
        .until(() -> get("/api/meshes/beta").body().contains("cilium 1/2 agents ready"));
  }

  @Test
  void servesThePage() throws Exception {
    HttpResponse<String> page = get("/");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("<title>Cluster meshes</title>", "app.js");
    assertThat(get("/app.js").statusCode()).isEqualTo(200);
    assertThat(get("/api/meshes/none").statusCode()).isEqualTo(404);
  }

  private void publish(String topic, String meshId, String cluster, MeshEvent payload)
      throws Exception {
    EventEnvelope event = EventEnvelope.create(meshId, cluster, null, "test", payload);
    producer.send(new ProducerRecord<>(topic, meshId, CODEC.encode(event))).get();
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private URI uri(String path) {
    return URI.create("http://localhost:" + port + path);
  }

  private static void readLines(InputStream in, List<String> lines) {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        lines.add(line);
      }
    } catch (java.io.IOException e) {
      // the test closed the stream
    }
  }
}
