package io.meshorch.meshctl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.MeshDeleted;
import io.meshorch.contracts.MeshRejected;
import io.meshorch.contracts.MeshRequested;
import io.meshorch.contracts.Topics;
import io.meshorch.contracts.Violation;
import io.meshorch.local.LocalKafkaBroker;
import io.meshorch.meshctl.MeshCtl;
import io.meshorch.meshctl.follow.EventFollower;
import io.meshorch.meshctl.spec.MeshFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code meshctl up} against a real (embedded KRaft) broker whose history holds an accepted
 * request, a rejected one and, later, a deletion: no services run, so what {@code up} publishes is
 * exactly what it decided to send.
 */
@Timeout(120)
class UpAgainstHistoryIT {
  private static final String MESH = "history-demo";
  private static final String EAST =
      "  - {name: east, id: 1, nodeCount: 1, podCidr: 10.1.0.0/16, serviceCidr: 10.201.0.0/16,"
          + " lbAddressPool: 192.168.50.10-192.168.50.19}\n";
  private static final String WEST =
      "  - {name: west, id: 2, nodeCount: 1, podCidr: 10.2.0.0/16, serviceCidr: 10.202.0.0/16,"
          + " lbAddressPool: 192.168.50.20-192.168.50.29}\n";
  private static final String NORTH =
      "  - {name: north, id: 3, nodeCount: 1, podCidr: 10.3.0.0/16, serviceCidr: 10.203.0.0/16,"
          + " lbAddressPool: 192.168.50.30-192.168.50.39}\n";

  @TempDir static Path dir;
  private static LocalKafkaBroker broker;

  @BeforeAll
  static void brokerWithMeshTopics() throws Exception {
    broker = new LocalKafkaBroker(dir.resolve("kafka")).start();
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
      admin
          .createTopics(Topics.ALL.stream().map(t -> new NewTopic(t, 1, (short) 1)).toList())
          .all()
          .get(30, TimeUnit.SECONDS);
    }
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  private static String file(String... clusters) {
    return "mesh: "
        + MESH
        + "\ndefaults:\n  machine: {image: ubuntu-22.04, flavor: m1.large, network: mesh-net,"
        + " keyName: mesh, sshUser: ubuntu}\nclusters:\n"
        + String.join("", clusters);
  }

  private static MeshRequested request(String text) {
    return MeshFile.parse(text).request();
  }

  private static void publish(String topic, EventEnvelope event) throws Exception {
    Publish.event(broker.bootstrapServers(), topic, event);
  }

  /** The mesh's requests on the bus, oldest first. */
  private static List<MeshRequested> requests() {
    try (EventFollower history =
        new EventFollower(broker.bootstrapServers(), List.of(Topics.REQUESTS), true)) {
      return history.readToEnd(Duration.ofSeconds(30)).stream()
          .filter(e -> MESH.equals(e.meshId()) && e.payload() instanceof MeshRequested)
          .map(e -> (MeshRequested) e.payload())
          .toList();
    }
  }

  private static int validate(String text) throws Exception {
    Path file = Files.writeString(Files.createTempFile(dir, "mesh", ".yaml"), text);
    return MeshCtl.run(
        "validate", "-f", file.toString(), "--bootstrap-server", broker.bootstrapServers());
  }

  private static int up(String text) throws Exception {
    Path file = Files.writeString(Files.createTempFile(dir, "mesh", ".yaml"), text);
    // No service answers: up stops following after a second (exit 1) once it has published.
    return MeshCtl.run(
        "up",
        "-f",
        file.toString(),
        "-o",
        "json",
        "--timeout",
        "PT1S",
        "--bootstrap-server",
        broker.bootstrapServers());
  }

  @Test
  void upRefusesWhatTheLastAcceptedRequestKeepsUntilTheMeshIsDeleted() throws Exception {
    String accepted = file(EAST, WEST);
    String movedWest = file(EAST, WEST.replace("10.2.0.0/16", "10.9.0.0/16"));
    EventEnvelope first = EventEnvelope.create(MESH, null, null, "meshctl", request(accepted));
    publish(Topics.REQUESTS, first);
    EventEnvelope refused = EventEnvelope.create(MESH, null, null, "meshctl", request(movedWest));
    publish(Topics.REQUESTS, refused);
    publish(
        Topics.INFRA,
        EventEnvelope.create(
            MESH,
            null,
            refused.eventId(),
            "infra-service",
            new MeshRejected(List.of(new Violation("clusters[1].name", "some rule")))));

    // The rejected request does not count: west's pod CIDR is still the accepted one's.
    assertThat(up(movedWest)).isEqualTo(Exit.REJECTED);
    // Leaving east out is a removal, which is not supported.
    assertThat(up(file(WEST))).isEqualTo(Exit.REJECTED);
    // validate against the bus makes the same comparison.
    assertThat(validate(movedWest)).isEqualTo(Exit.REJECTED);
    assertThat(validate(file(EAST, WEST, NORTH))).isEqualTo(Exit.READY);
    assertThat(requests()).hasSize(2);

    // Adding a cluster is fine: the request goes out as it is.
    assertThat(up(file(EAST, WEST, NORTH))).isEqualTo(Exit.FAILED);
    assertThat(requests()).hasSize(3).last().isEqualTo(request(file(EAST, WEST, NORTH)));

    // Once the mesh is deleted it no longer exists: anything goes.
    publish(
        Topics.MESH,
        EventEnvelope.create(
            MESH, null, null, "mesh-service", new MeshDeleted(List.of(), List.of())));
    assertThat(up(file(WEST.replace("10.2.0.0/16", "10.9.0.0/16")))).isEqualTo(Exit.FAILED);
    assertThat(requests())
        .hasSize(4)
        .last()
        .isEqualTo(request(file(WEST.replace("10.2.0.0/16", "10.9.0.0/16"))));
  }
}
