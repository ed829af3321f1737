package io.meshorch.sandbox.openstack;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/** Request and response plumbing shared by the fake OpenStack services. */
final class Http {
  static final JsonMapper JSON = JsonMapper.builder().build();

  private Http() {}

  /**
   * A request, read once.
   *
   * @param ifMatch the {@code If-Match} header, or null
   */
  record Request(
      String method,
      String path,
      Map<String, String> query,
      String body,
      String token,
      String ifMatch) {
    @SuppressWarnings("unchecked")
    Map<String, Object> json() {
      if (body == null || body.isBlank()) {
        return Map.of();
      }
      try {
        Object value = JSON.readValue(body, Object.class);
        return value instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
      } catch (JacksonException e) {
        throw new BadJson(e.getOriginalMessage());
      }
    }
  }

  /** A body that is not JSON. */
  static final class BadJson extends RuntimeException {
    BadJson(String message) {
      super(message);
    }
  }

  /** A response. */
  record Response(int status, String reason, Map<String, String> headers, Object body) {
    static Response json(int status, String reason, Object body) {
      return new Response(status, reason, new LinkedHashMap<>(), body);
    }

    Response header(String name, String value) {
      headers.put(name, value);
      return this;
    }
  }

  static Request read(HttpExchange exchange, String prefix) throws IOException {
    String raw = exchange.getRequestURI().getRawPath().substring(prefix.length());
    String path = URLDecoder.decode(raw, StandardCharsets.UTF_8);
    Map<String, String> query = new LinkedHashMap<>();
    String q = exchange.getRequestURI().getRawQuery();
    if (q != null) {
      for (String pair : q.split("&")) {
        String[] kv = pair.split("=", 2);
        query.put(
            URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
            kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
      }
    }
    String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    return new Request(
        exchange.getRequestMethod(),
        path,
        query,
        body,
        exchange.getRequestHeaders().getFirst("X-Auth-Token"),
        exchange.getRequestHeaders().getFirst("If-Match"));
  }

  static void write(HttpExchange exchange, Response response) throws IOException {
    byte[] bytes =
        response.body() == null
            ? new byte[0]
            : response.body() instanceof String s
                ? s.getBytes(StandardCharsets.UTF_8)
                : JSON.writeValueAsBytes(response.body());
    response.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
    if (response.body() != null && !response.headers().containsKey("Content-Type")) {
      exchange.getResponseHeaders().add("Content-Type", "application/json");
    }
    if (!response.headers().containsKey("Content-Type") && response.body() == null) {
      exchange.getResponseHeaders().add("Content-Type", "application/json");
    }
    exchange.sendResponseHeaders(response.status(), bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
    exchange.close();
  }

  static String requestId() {
    return "req-" + UUID.randomUUID();
  }

  /** An ordered map from key/value pairs, for JSON bodies that keep OpenStack's key order. */
  static Map<String, Object> obj(Object... kv) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      map.put((String) kv[i], kv[i + 1]);
    }
    return map;
  }

  static List<String> segments(String path) {
    return List.of(path.replaceAll("^/+|/+$", "").split("/+"));
  }
}
