package io.meshorch.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every event type a dashboard author can meet has a JSON Schema, an AsyncAPI message on the right
 * channel, and a golden example that validates against the schema and survives a round trip through
 * the codec.
 */
class ContractCoverageTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final SchemaRegistry SCHEMAS =
      SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
  private static final EventCodec CODEC = new EventCodec();

  @ParameterizedTest
  @EnumSource(EventType.class)
  void goldenExampleValidatesAgainstTheSchema(EventType type) throws IOException {
    Schema schema = SCHEMAS.getSchema(JSON.readTree(schemaOf(type)));
    List<Error> errors = schema.validate(JSON.readTree(exampleOf(type)));
    assertThat(errors).as("schema errors of the %s example", type.wireName()).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(EventType.class)
  void goldenExampleRoundTripsThroughTheCodec(EventType type) throws IOException {
    byte[] example = exampleOf(type);
    EventEnvelope decoded = CODEC.decode(example);

    assertThat(decoded.eventType()).isEqualTo(type);
    assertThat(decoded.payload()).isInstanceOf(type.payloadClass());
    assertThat(CODEC.decode(CODEC.encode(decoded))).isEqualTo(decoded);
    assertThat(JSON.readTree(CODEC.encode(decoded))).isEqualTo(JSON.readTree(example));
  }

  /**
   * Events of older producers of a type whose version did not change (an optional field was added
   * since): they still validate, decode, and encode again as they were.
   */
  @ParameterizedTest
  @CsvSource({
    "mesh.MeshFailed.v1, before-retryable.json",
    "mesh.MeshRequested.v1, before-kubernetes.json",
    "mesh.ClusterUp.v1, before-kubernetes.json",
    "mesh.ProgressReported.v1, before-waiting-for.json"
  })
  void fixturesOfOlderProducersStillValidateAndDecode(String wireName, String file)
      throws IOException {
    EventType type = EventType.fromWireName(wireName).orElseThrow();
    byte[] older = read("/contracts/" + wireName + "/" + file);

    assertThat(SCHEMAS.getSchema(JSON.readTree(schemaOf(type))).validate(JSON.readTree(older)))
        .isEmpty();
    EventEnvelope decoded = CODEC.decode(older);
    assertThat(decoded.payload()).isInstanceOf(type.payloadClass());
    assertThat(JSON.readTree(CODEC.encode(decoded))).isEqualTo(JSON.readTree(older));
  }

  @ParameterizedTest
  @EnumSource(EventType.class)
  void asyncApiDocumentsTheMessageOnItsChannel(EventType type) throws IOException {
    Map<String, Object> doc = asyncApi();
    String messageKey = type.payloadClass().getSimpleName();

    Map<String, Object> message = map(map(map(doc, "components"), "messages"), messageKey);
    assertThat(message).as("components.messages.%s", messageKey).isNotNull();
    assertThat(message.get("name")).isEqualTo(type.wireName());
    assertThat(map(message, "payload"))
        .containsEntry("$ref", "./schemas/" + type.wireName() + ".schema.json");

    List<String> channelsCarryingIt =
        map(doc, "channels").values().stream()
            .map(MeshMaps::asMap)
            .filter(ch -> map(ch, "messages").containsKey(messageKey))
            .map(ch -> (String) ch.get("address"))
            .toList();
    assertThat(channelsCarryingIt).as("channels carrying %s", messageKey).isNotEmpty();
    type.fixedTopic().ifPresent(topic -> assertThat(channelsCarryingIt).containsExactly(topic));
    assertThat(Topics.ALL).containsAll(channelsCarryingIt);
  }

  private static byte[] schemaOf(EventType type) throws IOException {
    return read("/io/meshorch/contracts/schemas/" + type.wireName() + ".schema.json");
  }

  private static byte[] exampleOf(EventType type) throws IOException {
    return read("/contracts/" + type.wireName() + "/example.json");
  }

  private static byte[] read(String resource) throws IOException {
    try (InputStream in = ContractCoverageTest.class.getResourceAsStream(resource)) {
      assertThat(in).as("resource %s", resource).isNotNull();
      return in.readAllBytes();
    }
  }

  private static Map<String, Object> asyncApi() throws IOException {
    try (InputStream in =
        ContractCoverageTest.class.getResourceAsStream("/io/meshorch/contracts/asyncapi.yaml")) {
      return MeshMaps.asMap(new Yaml().load(in));
    }
  }

  private static Map<String, Object> map(Map<String, Object> parent, String key) {
    if (parent == null || key == null) {
      return null;
    }
    return MeshMaps.asMap(parent.get(key));
  }

  /** Unchecked view of parsed YAML. */
  private static final class MeshMaps {
    @SuppressWarnings("unchecked")
    static Map<String, Object> asMap(Object value) {
      return (Map<String, Object>) value;
    }
  }
}
