package io.meshorch.meshctl;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * An OpenStack cloud as an operator checks it for leftovers: logged in with the {@code clouds.yaml}
 * they were given (password auth scoped to its project), the Heat and Neutron endpoints taken from
 * Keystone's catalog, read with plain HTTP (the JDK client).
 */
final class OperatorsOpenStack {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  private final HttpClient http =
      HttpClient.newBuilder()
          .connectTimeout(TIMEOUT)
          .followRedirects(HttpClient.Redirect.NEVER)
          .build();
  private final String token;
  private final String heat;
  private final String neutron;

  private OperatorsOpenStack(Path cloudsYaml, String cloud)
      throws IOException, InterruptedException {
    Map<String, Object> auth = auth(cloudsYaml, cloud);
    String body =
        JSON.writeValueAsString(
            Map.of(
                "auth",
                Map.of(
                    "identity",
                    Map.of(
                        "methods",
                        List.of("password"),
                        "password",
                        Map.of(
                            "user",
                            Map.of(
                                "name",
                                auth.get("username"),
                                "domain",
                                Map.of("name", auth.get("user_domain_name")),
                                "password",
                                auth.get("password")))),
                    "scope",
                    Map.of(
                        "project",
                        Map.of(
                            "name",
                            auth.get("project_name"),
                            "domain",
                            Map.of("name", auth.get("project_domain_name")))))));
    String url = String.valueOf(auth.get("auth_url")).replaceAll("/+$", "") + "/auth/tokens";
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create(url))
                .timeout(TIMEOUT)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 201) {
      throw new IllegalStateException(
          "Keystone at " + url + " answered " + response.statusCode() + ": " + response.body());
    }
    token =
        response
            .headers()
            .firstValue("X-Subject-Token")
            .orElseThrow(() -> new IllegalStateException("Keystone gave no X-Subject-Token"));
    JsonNode catalog = JSON.readTree(response.body()).at("/token/catalog");
    heat = endpoint(catalog, "orchestration");
    neutron = endpoint(catalog, "network");
  }

  /** Logs in to cloud {@code cloud} of {@code cloudsYaml}. */
  static OperatorsOpenStack login(Path cloudsYaml, String cloud)
      throws IOException, InterruptedException {
    return new OperatorsOpenStack(cloudsYaml, cloud);
  }

  /**
   * Stack name to stack ID of the project's stacks whose name starts with {@code prefix} ({@code
   * GET /v1/{project}/stacks}, which leaves deleted stacks out).
   */
  Map<String, String> stackIds(String prefix) throws IOException, InterruptedException {
    Map<String, String> ids = new java.util.TreeMap<>();
    JsonNode stacks = get(heat + "/stacks").get("stacks");
    for (int i = 0; i < stacks.size(); i++) {
      String name = stacks.get(i).get("stack_name").asString();
      if (name.startsWith(prefix)) {
        ids.put(name, stacks.get(i).get("id").asString());
      }
    }
    return ids;
  }

  /** IDs of the Neutron ports whose {@code allowed_address_pairs} allow {@code ip}. */
  List<String> portsAllowing(String ip) throws IOException, InterruptedException {
    List<String> ids = new ArrayList<>();
    JsonNode ports = get(neutron + "/v2.0/ports").get("ports");
    for (int i = 0; i < ports.size(); i++) {
      JsonNode pairs = ports.get(i).path("allowed_address_pairs");
      for (int j = 0; j < pairs.size(); j++) {
        String allowed = pairs.get(j).get("ip_address").asString();
        if (allowed.equals(ip) || allowed.equals(ip + "/32")) {
          ids.add(ports.get(i).get("id").asString());
        }
      }
    }
    return ids;
  }

  private JsonNode get(String url) throws IOException, InterruptedException {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create(url))
                .timeout(TIMEOUT)
                .header("X-Auth-Token", token)
                .header("Accept", "application/json")
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IllegalStateException(
          "GET " + url + " answered " + response.statusCode() + ": " + response.body());
    }
    return JSON.readTree(response.body());
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> auth(Path cloudsYaml, String cloud) throws IOException {
    Map<String, Object> doc =
        new Yaml(new SafeConstructor(new LoaderOptions()))
            .load(Files.readString(cloudsYaml, StandardCharsets.UTF_8));
    Map<String, Object> clouds = (Map<String, Object>) doc.get("clouds");
    Map<String, Object> one = (Map<String, Object>) clouds.get(cloud);
    if (one == null) {
      throw new IllegalArgumentException("no cloud " + cloud + " in " + cloudsYaml);
    }
    return (Map<String, Object>) one.get("auth");
  }

  private static String endpoint(JsonNode catalog, String type) {
    for (int i = 0; i < catalog.size(); i++) {
      JsonNode service = catalog.get(i);
      if (service.get("type").asString().equals(type)) {
        JsonNode endpoints = service.get("endpoints");
        for (int j = 0; j < endpoints.size(); j++) {
          if (endpoints.get(j).get("interface").asString().equals("public")) {
            return endpoints.get(j).get("url").asString().replaceAll("/+$", "");
          }
        }
      }
    }
    throw new IllegalStateException("no public " + type + " endpoint in Keystone's catalog");
  }
}
