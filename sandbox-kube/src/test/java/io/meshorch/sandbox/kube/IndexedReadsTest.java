package io.meshorch.sandbox.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.server.mock.KubernetesAttributesExtractor;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The sandbox API server's indexed reads answer exactly what fabric8's store answers when it
 * matches a read against every stored object: after every write of a long random run of creates,
 * replaces, patches, applies and deletes over namespaced and cluster-scoped resources (two of them
 * sharing a plural in different API groups), every named read, list, namespaced list and label
 * selection gets the same status and the same body, in the same order.
 */
class IndexedReadsTest {
  /** A resource: its collection path without namespace, its apiVersion and kind. */
  private record Resource(String group, String plural, String apiVersion, String kind, boolean ns) {
    String collection(String namespace) {
      String root = group.isEmpty() ? "/api/v1" : "/apis/" + apiVersion;
      return ns ? root + "/namespaces/" + namespace + "/" + plural : root + "/" + plural;
    }

    String all() {
      return (group.isEmpty() ? "/api/v1" : "/apis/" + apiVersion) + "/" + plural;
    }
  }

  private static final List<Resource> RESOURCES =
      List.of(
          new Resource("", "configmaps", "v1", "ConfigMap", true),
          new Resource("", "secrets", "v1", "Secret", true),
          new Resource("", "events", "v1", "Event", true),
          new Resource("events.k8s.io", "events", "events.k8s.io/v1", "Event", true),
          new Resource("apps", "deployments", "apps/v1", "Deployment", true),
          new Resource("", "namespaces", "v1", "Namespace", false),
          new Resource(
              "rbac.authorization.k8s.io",
              "clusterroles",
              "rbac.authorization.k8s.io/v1",
              "ClusterRole",
              false));

  private static final List<String> NAMESPACES = List.of("kube-system", "default");
  private static final List<String> NAMES = List.of("a", "b", "c");
  private static final List<String> APPS = List.of("web", "db");

  private final ObservedCrudDispatcher store = new ObservedCrudDispatcher((p, b, a) -> {});
  private final Random random = new Random(20261130);

  @Test
  void theStoreKeyOfAParsedObjectIsTheOneFabric8WorksOutFromItsJson() {
    KubernetesAttributesExtractor extractor = new KubernetesAttributesExtractor();
    for (String json :
        List.of(
            "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"web\","
                + "\"namespace\":\"default\",\"labels\":{\"app\":\"web\",\"tier\":3,\"on\":true}},"
                + "\"spec\":{\"replicas\":2}}",
            "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"a\","
                + "\"namespace\":null}}",
            "{\"apiVersion\":\"rbac.authorization.k8s.io/v1\",\"kind\":\"ClusterRole\","
                + "\"metadata\":{\"name\":\"r\",\"labels\":{}}}")) {
      assertThat(
              extractor.extract(ObservedCrudDispatcher.keyOf(ObservedCrudDispatcher.parse(json))))
          .as(json)
          .isEqualTo(extractor.fromResource(json));
    }
  }

  @Test
  void everyReadAgreesWithFabric8sOwnMatchingThroughARandomRunOfWrites() {
    int compared = 0;
    int found = 0;
    for (int i = 0; i < 200; i++) {
      write();
      for (String path : reads()) {
        MockResponse indexed = store.handleGet(path);
        MockResponse linear = store.unindexedGet(path);
        String body = body(indexed);
        assertThat(indexed.code())
            .as("status of GET %s after write %d", path, i)
            .isEqualTo(linear.code());
        assertThat(body).as("GET %s after write %d", path, i).isEqualTo(body(linear));
        compared++;
        if (indexed.code() == 200 && body.contains("\"name\"")) {
          found++;
        }
      }
    }
    assertThat(compared).isGreaterThan(5_000);
    assertThat(found).as("the run stored and read objects, not only misses").isGreaterThan(500);
  }

  @Test
  void findsTheStoredObjectAWriteReplacesWithoutMatchingEveryKey() {
    Resource configMaps = RESOURCES.get(0);
    send(
        HttpMethod.POST,
        configMaps.collection("default"),
        object(configMaps, "default", "a", "web", 1));
    send(
        HttpMethod.POST,
        configMaps.collection("kube-system"),
        object(configMaps, "kube-system", "a", "db", 1));

    MockResponse replaced =
        send(
            HttpMethod.PUT,
            configMaps.collection("default") + "/a",
            object(configMaps, "default", "a", "db", 2));

    assertThat(replaced.code()).isEqualTo(200);
    assertThat(body(store.handleGet(configMaps.collection("default") + "/a")))
        .contains("\"v\":\"2\"");
    assertThat(body(store.handleGet(configMaps.collection("kube-system") + "/a")))
        .as("the same name in another namespace untouched")
        .contains("\"v\":\"1\"");
  }

  private void write() {
    Resource r = RESOURCES.get(random.nextInt(RESOURCES.size()));
    String ns = NAMESPACES.get(random.nextInt(NAMESPACES.size()));
    String name = NAMES.get(random.nextInt(NAMES.size()));
    String app = APPS.get(random.nextInt(APPS.size()));
    String item = r.collection(ns) + "/" + name;
    int version = random.nextInt(1000);
    switch (random.nextInt(5)) {
      case 0 -> send(HttpMethod.POST, r.collection(ns), object(r, ns, name, app, version));
      case 1 -> send(HttpMethod.PUT, item, object(r, ns, name, app, version));
      case 2 ->
          send(
              HttpMethod.PATCH,
              item,
              "{\"metadata\":{\"labels\":{\"app\":\"" + app + "\"}}}",
              "application/merge-patch+json");
      case 3 ->
          send(
              HttpMethod.PATCH,
              item + "?fieldManager=test&force=true",
              object(r, ns, name, app, version),
              ObservedCrudDispatcher.APPLY_PATCH);
      default -> store.handleDelete(item);
    }
  }

  private List<String> reads() {
    List<String> paths = new ArrayList<>();
    for (Resource r : RESOURCES) {
      paths.add(r.all());
      paths.add(r.all() + "?labelSelector=app%3Dweb");
      for (String ns : r.ns() ? NAMESPACES : List.of("")) {
        if (r.ns()) {
          paths.add(r.collection(ns));
          paths.add(r.collection(ns) + "?labelSelector=app%3Ddb");
        }
        for (String name : NAMES) {
          paths.add(r.collection(ns) + "/" + name);
        }
      }
    }
    return paths;
  }

  private static String object(Resource r, String ns, String name, String app, int version) {
    String metadata =
        "\"name\":\""
            + name
            + "\""
            + (r.ns() ? ",\"namespace\":\"" + ns + "\"" : "")
            + ",\"labels\":{\"app\":\""
            + app
            + "\"},\"annotations\":{\"v\":\""
            + version
            + "\"}";
    return "{\"apiVersion\":\""
        + r.apiVersion()
        + "\",\"kind\":\""
        + r.kind()
        + "\",\"metadata\":{"
        + metadata
        + "}}";
  }

  private MockResponse send(HttpMethod method, String path, String body) {
    return send(method, path, body, "application/json");
  }

  private MockResponse send(HttpMethod method, String path, String body, String type) {
    Headers headers =
        Headers.builder().add("Content-Type", type).add("User-Agent", "test/1").build();
    RecordedRequest request =
        new RecordedRequest("HTTP/1.1", method, path, headers, new Buffer().writeUtf8(body));
    return switch (method) {
      case POST -> store.handleCreate(request);
      case PUT -> store.handleUpdate(request);
      case PATCH -> store.handlePatch(request);
      default -> throw new IllegalArgumentException(method.name());
    };
  }

  /** The body (a response's body can be read once). */
  private static String body(MockResponse response) {
    return response.getBody() == null ? "" : response.getBody().readUtf8();
  }
}
