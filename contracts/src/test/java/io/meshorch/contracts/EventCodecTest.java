package io.meshorch.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class EventCodecTest {
  private final EventCodec codec = new EventCodec();

  @Test
  void ignoresFieldsAddedByNewerProducers() {
    String json =
        """
        {"eventId":"00000000-0000-4000-8000-000000000001","type":"mesh.ProgressReported.v1",
         "meshId":"demo","cluster":"east","occurredAt":"2026-11-25T00:00:00Z",
         "producer":"infra-service","addedLater":{"x":1},
         "payload":{"stage":"vms","message":"stack created","severity":"info"}}
        """;

    EventEnvelope envelope = codec.decode(json.getBytes(StandardCharsets.UTF_8));

    assertThat(envelope.payload()).isEqualTo(new ProgressReported("vms", "stack created"));
    assertThat(envelope.cluster()).isEqualTo("east");
  }

  @Test
  void refusesUnknownTypesByNameSoConsumersCanSkipThem() {
    String json =
        """
        {"eventId":"00000000-0000-4000-8000-000000000001","type":"mesh.SomethingNew.v9",
         "meshId":"demo","occurredAt":"2026-11-25T00:00:00Z","producer":"x","payload":{}}
        """;

    assertThatThrownBy(() -> codec.decode(json.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(UnknownEventTypeException.class)
        .hasMessageContaining("mesh.SomethingNew.v9");
  }

  @Test
  void neverTrustsAClassNameOnTheWire() {
    String json =
        """
        {"eventId":"00000000-0000-4000-8000-000000000001","type":"java.lang.ProcessBuilder",
         "meshId":"demo","occurredAt":"2026-11-25T00:00:00Z","producer":"x","payload":{}}
        """;

    assertThatThrownBy(() -> codec.decode(json.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(UnknownEventTypeException.class);
  }

  @Test
  void reportsMalformedRecordsAsMalformed() {
    assertThatThrownBy(() -> codec.decode("not json".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(MalformedEventException.class);
    assertThatThrownBy(
            () ->
                codec.decode(
                    """
                    {"type":"mesh.ProgressReported.v1","payload":{"stage":"vms"}}
                    """
                        .getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(MalformedEventException.class)
        .hasMessageContaining("mesh.ProgressReported.v1");
  }

  @Test
  void stampsTheLogicalTypeOfThePayload() {
    EventEnvelope envelope =
        EventEnvelope.create(
            "demo", null, UUID.randomUUID(), "mesh-service", new MeshReady(List.of()));

    assertThat(envelope.type()).isEqualTo("mesh.MeshReady.v1");
    assertThat(new String(codec.encode(envelope), StandardCharsets.UTF_8))
        .contains("\"type\":\"mesh.MeshReady.v1\"")
        .doesNotContain("io.meshorch");
  }

  @Test
  void rejectsAnEnvelopeWhoseTypeContradictsItsPayload() {
    assertThatThrownBy(
            () ->
                new EventEnvelope(
                    UUID.randomUUID(),
                    "mesh.VmsReady.v1",
                    "demo",
                    null,
                    null,
                    java.time.Instant.now(),
                    "x",
                    new ProgressReported("vms", "m")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void measuresAPayloadAsItIsEncodedInsideTheEnvelope() {
    MeshRequested payload =
        new MeshRequested(
            List.of(
                new ClusterSpec(
                    "east",
                    1,
                    2,
                    "10.101.0.0/16",
                    null,
                    "192.168.50.10-192.168.50.19",
                    new MachineSpec("ubuntu-22.04", "m1.large", "mesh-net", "mesh", "ubuntu"))));
    String envelope =
        codec.encodeToString(EventEnvelope.create("demo", null, null, "meshctl", payload));
    String encodedPayload =
        envelope.substring(
            envelope.indexOf("\"payload\":") + "\"payload\":".length(), envelope.length() - 1);

    assertThat(codec.encodedSize(payload))
        .isEqualTo(encodedPayload.getBytes(StandardCharsets.UTF_8).length);
  }

  @Test
  void aMeshFailedOfAnOlderProducerDecodesWithRetryableUnknown() throws IOException {
    byte[] older;
    try (InputStream in =
        getClass().getResourceAsStream("/contracts/mesh.MeshFailed.v1/before-retryable.json")) {
      older = in.readAllBytes();
    }

    MeshFailed failed = (MeshFailed) codec.decode(older).payload();

    assertThat(failed.code()).isEqualTo("REMOTE_NOT_SEEN");
    assertThat(failed.retryable()).isNull();
  }

  @Test
  void aWholeMeshDeleteRequestOfAnOlderProducerDecodesWithoutClusters() throws IOException {
    byte[] older;
    try (InputStream in =
        getClass().getResourceAsStream("/contracts/mesh.MeshDeleteRequested.v1/whole-mesh.json")) {
      older = in.readAllBytes();
    }

    MeshDeleteRequested request = (MeshDeleteRequested) codec.decode(older).payload();

    assertThat(request.clusters()).isNull();
    assertThat(codec.encodeToString(EventEnvelope.create("demo", null, null, "meshctl", request)))
        .doesNotContain("clusters");
  }

  @Test
  void aPruneRequestKeepsItsClustersThroughARoundTrip() {
    EventEnvelope sent =
        EventEnvelope.create(
            "demo", null, null, "meshctl", new MeshDeleteRequested(List.of("west")));

    MeshDeleteRequested decoded =
        (MeshDeleteRequested)
            codec.decode(codec.encodeToString(sent).getBytes(StandardCharsets.UTF_8)).payload();

    assertThat(decoded.clusters()).containsExactly("west");
  }
}
