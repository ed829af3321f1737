package io.meshorch.sandbox.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.Test;

/**
 * The sandbox API server creates and replaces objects (POST; PUT, and the merge patches and applies
 * it turns into replaces) itself, from parsed objects, instead of through fabric8's store: it must
 * answer as fabric8's store does. The same requests go to both; every answer has the same status,
 * and every stored object the same content, the same generation and a new resourceVersion exactly
 * when fabric8's has one (the numbers themselves differ: the sandbox counts more versions).
 */
class StoreWritesTest {
  private static final String DEPLOYMENTS = "/apis/apps/v1/namespaces/default/deployments";
  private static final String NAMESPACES = "/api/v1/namespaces";

  private final ObservedCrudDispatcher ours = new ObservedCrudDispatcher((p, b, a) -> {});
  private final KubernetesCrudDispatcher fabric8 = new KubernetesCrudDispatcher();

  private static String deployment(String name, String extra) {
    return "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\""
        + name
        + "\""
        + extra
        + "}";
  }

  @Test
  void everyReplaceAnswersAndStoresAsFabric8sStoreDoes() {
    List<String[]> requests = new ArrayList<>();
    // method, path, body
    requests.add(
        new String[] {
          "POST",
          DEPLOYMENTS,
          deployment("web", ",\"labels\":{\"app\":\"web\"}},\"spec\":{\"replicas\":1}")
        });
    // the spec changes: generation and resourceVersion move on
    requests.add(
        new String[] {
          "PUT",
          DEPLOYMENTS + "/web",
          deployment("web", ",\"labels\":{\"app\":\"web\"}},\"spec\":{\"replicas\":2}")
        });
    // only a label changes: the resourceVersion moves on, the generation does not
    requests.add(
        new String[] {
          "PUT",
          DEPLOYMENTS + "/web",
          deployment(
              "web", ",\"labels\":{\"app\":\"web\",\"tier\":\"front\"}},\"spec\":{\"replicas\":2}")
        });
    // the same again: nothing moves on
    requests.add(
        new String[] {
          "PUT",
          DEPLOYMENTS + "/web",
          deployment(
              "web", ",\"labels\":{\"app\":\"web\",\"tier\":\"front\"}},\"spec\":{\"replicas\":2}")
        });
    // a status replace keeps the rest as stored, whatever the body says of it
    requests.add(
        new String[] {
          "PUT",
          DEPLOYMENTS + "/web/status",
          deployment("web", "},\"spec\":{\"replicas\":9},\"status\":{\"replicas\":2}")
        });
    // a main replace without status drops it (a Deployment's status is no subresource in fabric8)
    requests.add(
        new String[] {
          "PUT",
          DEPLOYMENTS + "/web",
          deployment("web", ",\"labels\":{\"app\":\"web\"}},\"spec\":{\"replicas\":3}")
        });
    // refused: another name, another namespace, a stale resourceVersion, no kind, no such object
    requests.add(
        new String[] {
          "PUT", DEPLOYMENTS + "/web", deployment("db", "},\"spec\":{\"replicas\":1}")
        });
    requests.add(
        new String[] {
          "PUT",
          DEPLOYMENTS + "/web",
          deployment("web", ",\"namespace\":\"kube-system\"},\"spec\":{\"replicas\":1}")
        });
    requests.add(
        new String[] {
          "PUT",
          DEPLOYMENTS + "/web",
          deployment("web", ",\"resourceVersion\":\"1\"},\"spec\":{\"replicas\":1}")
        });
    requests.add(
        new String[] {
          "PUT",
          DEPLOYMENTS + "/web",
          "{\"apiVersion\":\"apps/v1\",\"metadata\":{\"name\":\"web\"}}"
        });
    requests.add(
        new String[] {"PUT", DEPLOYMENTS + "/db", deployment("db", "},\"spec\":{\"replicas\":1}")});
    // a name left out is the URL's
    requests.add(
        new String[] {
          "PUT",
          DEPLOYMENTS + "/web",
          "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{},\"spec\":{}}"
        });
    // a cluster-scoped object
    requests.add(
        new String[] {
          "POST",
          NAMESPACES,
          "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"a\"}}"
        });
    requests.add(
        new String[] {
          "PUT",
          NAMESPACES + "/a",
          "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"a\","
              + "\"labels\":{\"x\":\"y\"}},\"spec\":{\"finalizers\":[\"kubernetes\"]}}"
        });
    // marked for deletion without finalizers: deleted
    requests.add(
        new String[] {
          "PUT",
          DEPLOYMENTS + "/web",
          deployment("web", ",\"deletionTimestamp\":\"2026-11-30T00:00:00Z\"},\"spec\":{}")
        });

    Map<String, Object> oursBefore = new LinkedHashMap<>();
    Map<String, Object> fabric8Before = new LinkedHashMap<>();
    int compared = 0;
    for (String[] r : requests) {
      MockResponse a = send(ours, r[0], r[1], r[2]);
      MockResponse b = send(fabric8, r[0], r[1], r[2]);
      String what = r[0] + " " + r[1] + " " + r[2];
      assertThat(a.code()).as(what).isEqualTo(b.code());
      String object = r[1].startsWith(NAMESPACES) ? NAMESPACES + "/a" : DEPLOYMENTS + "/web";
      Map<String, Object> oursNow = stored(ours, object);
      Map<String, Object> fabric8Now = stored(fabric8, object);
      assertThat(withoutServerFields(oursNow)).as(what).isEqualTo(withoutServerFields(fabric8Now));
      if (oursNow != null) {
        assertThat(field(oursNow, "generation"))
            .as(what)
            .isEqualTo(field(fabric8Now, "generation"));
        Object oursWas = oursBefore.get(object);
        Object fabric8Was = fabric8Before.get(object);
        if (oursWas != null) {
          assertThat(Objects.equals(field(oursNow, "resourceVersion"), oursWas))
              .as("resourceVersion kept: " + what)
              .isEqualTo(Objects.equals(field(fabric8Now, "resourceVersion"), fabric8Was));
          compared++;
        }
        oursBefore.put(object, field(oursNow, "resourceVersion"));
        fabric8Before.put(object, field(fabric8Now, "resourceVersion"));
      }
    }
    assertThat(compared).isGreaterThan(10);
    assertThat(stored(ours, DEPLOYMENTS + "/web")).as("deleted").isNull();
  }

  @Test
  void everyCreateAnswersAndStoresAsFabric8sStoreDoes() {
    String pods = "/api/v1/namespaces/default/pods";
    String pod =
        "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"%s\"%s},"
            + "\"spec\":{\"containers\":[{\"name\":\"main\",\"image\":\"busybox\"%s}]}%s}";
    List<String[]> requests = new ArrayList<>();
    // name, metadata beyond the name, container fields, fields after spec
    String[][] bodies = {
      // plain, with labels, annotations, an owner and a status
      {
        "a",
        ",\"labels\":{\"app\":\"a\"},\"annotations\":{\"k\":\"v\"},\"ownerReferences\":"
            + "[{\"apiVersion\":\"apps/v1\",\"kind\":\"DaemonSet\",\"name\":\"ds\","
            + "\"uid\":\"u-1\",\"controller\":true}]",
        "",
        ",\"status\":{\"phase\":\"Running\",\"podIP\":\"10.0.0.1\"}"
      },
      // the namespace of the URL; server fields set by the client; a deletion mark
      {
        "b",
        ",\"namespace\":\"default\",\"uid\":\"mine\",\"resourceVersion\":\"7\","
            + "\"deletionTimestamp\":\"2026-11-30T00:00:00Z\",\"finalizers\":[\"x\"]",
        "",
        ""
      },
      // what fabric8's model reshapes: empty labels, a null, an empty name, generation
      {"c", ",\"labels\":{}", "", ""},
      {"d", ",\"annotations\":{\"k\":null}", "", ""},
      {"e", "", ",\"args\":null", ""},
      {"f", ",\"generation\":5", "", ""},
      {"g", ",\"managedFields\":[{\"manager\":\"m\",\"operation\":\"Update\"}]", "", ""},
      // refused or treated otherwise: another namespace, one that exists
      {"h", ",\"namespace\":\"kube-system\"", "", ""},
      {"a", "", "", ""},
      // numbers and nested lists as they come
      {
        "i",
        "",
        ",\"ports\":[{\"containerPort\":8080,\"protocol\":\"TCP\"}]",
        ",\"status\":{\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\"}]}"
      },
    };
    for (String[] b : bodies) {
      requests.add(new String[] {"POST", pods, pod.formatted(b[0], b[1], b[2], b[3]), b[0]});
    }
    // a generated name, no name at all, no kind
    requests.add(
        new String[] {
          "POST",
          pods,
          "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":"
              + "{\"generateName\":\"gen-\"},\"spec\":{}}",
          null
        });
    requests.add(
        new String[] {
          "POST", pods, "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{}}", null
        });
    requests.add(
        new String[] {"POST", pods, "{\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"j\"}}", "j"});
    // a cluster-scoped object, with and without a namespace
    requests.add(
        new String[] {
          "POST",
          NAMESPACES,
          "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":"
              + "{\"name\":\"n\",\"labels\":{\"x\":\"y\"}}}",
          "n"
        });

    for (String[] r : requests) {
      MockResponse a = send(ours, r[0], r[1], r[2]);
      MockResponse b = send(fabric8, r[0], r[1], r[2]);
      String what = r[0] + " " + r[1] + " " + r[2];
      assertThat(a.code()).as(what).isEqualTo(b.code());
      if (r[3] == null) {
        continue;
      }
      String object = r[1] + "/" + r[3];
      Map<String, Object> oursNow = stored(ours, object);
      Map<String, Object> fabric8Now = stored(fabric8, object);
      assertThat(withoutServerFields(oursNow)).as(what).isEqualTo(withoutServerFields(fabric8Now));
      if (oursNow != null) {
        assertThat(field(oursNow, "generation"))
            .as(what)
            .isEqualTo(field(fabric8Now, "generation"));
        assertThat(field(oursNow, "uid")).as(what).isNotEqualTo("mine").isNotNull();
        assertThat(field(oursNow, "creationTimestamp")).as(what).isNotNull();
      }
    }
    assertThat(stored(ours, pods + "/a")).isNotNull();
  }

  private static Object field(Map<String, Object> object, String name) {
    return ((Map<?, ?>) object.get("metadata")).get(name);
  }

  private static Map<String, Object> stored(KubernetesCrudDispatcher store, String path) {
    MockResponse response = store.handleGet(path);
    if (response.code() != 200) {
      return null;
    }
    return ObservedCrudDispatcher.parse(response.getBody().readUtf8());
  }

  /** The object without what only one of the two stores writes or numbers its own way. */
  private static Map<String, Object> withoutServerFields(Map<String, Object> object) {
    if (object == null) {
      return null;
    }
    Map<String, Object> copy = FieldPaths.copy(object);
    @SuppressWarnings("unchecked")
    Map<String, Object> metadata = new LinkedHashMap<>((Map<String, Object>) copy.get("metadata"));
    for (String field :
        List.of("uid", "creationTimestamp", "resourceVersion", "managedFields", "generation")) {
      metadata.remove(field);
    }
    copy.put("metadata", metadata);
    return copy;
  }

  private static MockResponse send(
      KubernetesCrudDispatcher store, String method, String path, String body) {
    Headers headers =
        Headers.builder()
            .add("Content-Type", "application/json")
            .add("User-Agent", "test/1")
            .build();
    RecordedRequest request =
        new RecordedRequest(
            "HTTP/1.1", HttpMethod.valueOf(method), path, headers, new Buffer().writeUtf8(body));
    return method.equals("POST") ? store.handleCreate(request) : store.handleUpdate(request);
  }
}
