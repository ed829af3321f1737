package io.meshorch.contracts;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.Yaml;

/** A read-only view of {@code asyncapi.yaml}: its channels and operations. */
final class AsyncApiDocument {
  static final String RESOURCE = "/io/meshorch/contracts/asyncapi.yaml";
  private static final String CHANNELS = "#/channels/";

  private final Map<String, Object> root;

  private AsyncApiDocument(Map<String, Object> root) {
    this.root = root;
  }

  /** The document shipped in the contracts jar. */
  static AsyncApiDocument load() {
    try (InputStream in = AsyncApiDocument.class.getResourceAsStream(RESOURCE)) {
      Objects.requireNonNull(in, RESOURCE);
      return new AsyncApiDocument(map(new Yaml().load(in)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A document from YAML text. */
  static AsyncApiDocument parse(String yaml) {
    return new AsyncApiDocument(map(new Yaml().load(yaml)));
  }

  /** Channels by key. */
  Map<String, Map<String, Object>> channels() {
    return children("channels");
  }

  /** Operations by key. */
  Map<String, Map<String, Object>> operations() {
    return children("operations");
  }

  /** The message keys of the channel {@code key}; empty for an unknown channel. */
  TreeSet<String> channelMessages(String key) {
    return new TreeSet<>(map(channels().getOrDefault(key, Map.of()).get("messages")).keySet());
  }

  /** The wire name ({@code name}) of every message of components, by message key. */
  Map<String, String> wireNames() {
    return map(map(root.get("components")).get("messages")).entrySet().stream()
        .collect(Collectors.toMap(Map.Entry::getKey, e -> (String) map(e.getValue()).get("name")));
  }

  /** One operation: who performs it, on which channel, with which messages. */
  record Operation(
      String key, String action, String service, String channelRef, List<String> messageRefs) {

    /** The key of the channel its {@code channel} refers to (the ref need not be valid). */
    String channelKey() {
      return channelRef.startsWith(CHANNELS) ? channelRef.substring(CHANNELS.length()) : channelRef;
    }
  }

  /** Every operation, in document order. */
  List<Operation> operationList() {
    return operations().entrySet().stream()
        .map(
            e ->
                new Operation(
                    e.getKey(),
                    (String) e.getValue().get("action"),
                    (String) e.getValue().get("x-service"),
                    ref(e.getValue().get("channel")),
                    e.getValue().get("messages") instanceof List<?> messages
                        ? messages.stream().map(AsyncApiDocument::ref).toList()
                        : List.of()))
        .toList();
  }

  /** The address of the channel {@code key}. */
  String address(String channelKey) {
    return (String) channels().get(channelKey).get("address");
  }

  private Map<String, Map<String, Object>> children(String key) {
    return map(root.get(key)).entrySet().stream()
        .collect(
            Collectors.toMap(
                Map.Entry::getKey, e -> map(e.getValue()), (a, b) -> a, LinkedHashMap::new));
  }

  private static String ref(Object reference) {
    return reference instanceof Map<?, ?> m && m.get("$ref") instanceof String s ? s : "";
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object value) {
    return value instanceof Map<?, ?> ? (Map<String, Object>) value : Map.of();
  }
}
