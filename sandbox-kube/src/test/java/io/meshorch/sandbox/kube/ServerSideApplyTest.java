package io.meshorch.sandbox.kube;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The field ownership rules of the sandbox API server's server-side apply, without HTTP. */
class ServerSideApplyTest {
  private static final String T0 = "2026-11-29T22:00:00Z";
  private static final String T1 = "2026-11-29T22:05:00Z";

  private static Map<String, Object> json(String text) {
    return ObservedCrudDispatcher.parse(text);
  }

  private static Map<String, Object> applied(
      Map<String, Object> live, String manager, String config, boolean force) {
    ServerSideApply.Outcome o = ServerSideApply.apply(live, json(config), manager, "", force, T1);
    assertThat(o).isInstanceOf(ServerSideApply.Applied.class);
    return ((ServerSideApply.Applied) o).object();
  }

  private static ManagedFields.Entry entry(Map<String, Object> o, String manager, String op) {
    return ManagedFields.of(o).stream()
        .filter(e -> e.manager().equals(manager) && e.operation().equals(op))
        .findFirst()
        .orElseThrow(() -> new AssertionError(manager + " " + op + " in " + o));
  }

  private static final String POD_TEMPLATE =
      """
      {"apiVersion":"apps/v1","kind":"DaemonSet","metadata":{"name":"cilium","namespace":"kube-system",
       "finalizers":["a/b"]},
       "spec":{"selector":{"matchLabels":{"k8s-app":"cilium"}},"template":{"spec":{
        "containers":[{"name":"agent","image":"cilium:v1","args":["--x"],
          "ports":[{"containerPort":4240}],"volumeMounts":[{"name":"bpf","mountPath":"/sys/fs/bpf"}]}],
        "volumes":[{"name":"bpf","hostPath":{"path":"/sys/fs/bpf"}}]}}}}
      """;

  @Test
  void fieldsV1NameItemsByTheirMergeKeysAndAtomicValuesAsLeaves() {
    Map<String, Object> o = applied(null, "meshorch-cni", POD_TEMPLATE, false);

    Object fields = entry(o, "meshorch-cni", "Apply").toJson().get("fieldsV1");

    assertThat(FieldPaths.json(fields))
        .isEqualTo(
            "{\"f:metadata\":{\"f:finalizers\":{\"v:\\\"a/b\\\"\":{}}},"
                + "\"f:spec\":{\"f:selector\":{},\"f:template\":{\"f:spec\":{"
                + "\"f:containers\":{\"k:{\\\"name\\\":\\\"agent\\\"}\":{\".\":{},\"f:args\":{},"
                + "\"f:image\":{},\"f:name\":{},\"f:ports\":{"
                + "\"k:{\\\"containerPort\\\":4240,\\\"protocol\\\":\\\"TCP\\\"}\":{\".\":{},"
                + "\"f:containerPort\":{}}},\"f:volumeMounts\":{"
                + "\"k:{\\\"mountPath\\\":\\\"/sys/fs/bpf\\\"}\":{\".\":{},\"f:mountPath\":{},"
                + "\"f:name\":{}}}}},\"f:volumes\":{\"k:{\\\"name\\\":\\\"bpf\\\"}\":{\".\":{},"
                + "\"f:hostPath\":{\"f:path\":{}},\"f:name\":{}}}}}}}");
    assertThat(FieldPaths.fromFieldsV1(fields)).isEqualTo(FieldPaths.fieldsOf(json(POD_TEMPLATE)));
  }

  @Test
  void anItemOtherManagersStillOwnFieldsOfStaysWhenTheApplierDropsIt() {
    Map<String, Object> o =
        applied(
            null,
            "meshorch-cni",
            """
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[
              {"name":"a","image":"a:1"},{"name":"b","image":"b:1"}]}}
            """,
            false);
    // Another manager sets an env var of container b.
    o =
        applied(
            o,
            "meshorch-mesh",
            """
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[
              {"name":"b","env":[{"name":"X","value":"1"}]}]}}
            """,
            false);

    Map<String, Object> after =
        applied(
            o,
            "meshorch-cni",
            """
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[
              {"name":"a","image":"a:1"}]}}
            """,
            false);

    assertThat(FieldPaths.json(((Map<?, ?>) after.get("spec")).get("containers")))
        .isEqualTo(
            "[{\"name\":\"a\",\"image\":\"a:1\"},"
                + "{\"name\":\"b\",\"env\":[{\"name\":\"X\",\"value\":\"1\"}]}]");
  }

  @Test
  void servicePortsAreKeyedByPortAndProtocol() {
    String svc =
        """
        {"apiVersion":"v1","kind":"Service","metadata":{"name":"s"},"spec":{"type":"LoadBalancer",
         "selector":{"app":"x"},"ports":[{"port":2379,"targetPort":2379},
         {"port":53,"protocol":"UDP"}]}}
        """;
    assertThat(FieldPaths.fieldsOf(json(svc)))
        .contains(
            List.of("f:spec", "f:selector"),
            List.of("f:spec", "f:ports", "k:{\"port\":2379,\"protocol\":\"TCP\"}", "f:targetPort"),
            List.of("f:spec", "f:ports", "k:{\"port\":53,\"protocol\":\"UDP\"}"))
        .doesNotContain(List.of("f:spec", "f:selector", "f:app"));
  }

  @Test
  void conflictsNameEveryManagerAndFieldAsKubernetesDoes() {
    Map<String, Object> o =
        applied(
            null,
            "meshorch-cni",
            """
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"replicas":2,
             "template":{"spec":{"containers":[{"name":"c","image":"c:1"}]}}}}
            """,
            false);

    ServerSideApply.Outcome refused =
        ServerSideApply.apply(
            o,
            json(
                """
                {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"replicas":3,
                 "template":{"spec":{"containers":[{"name":"c","image":"c:2"}]}}}}
                """),
            "kubectl",
            "",
            false,
            T1);

    assertThat(refused).isInstanceOf(ServerSideApply.Conflicts.class);
    assertThat(((ServerSideApply.Conflicts) refused).message())
        .isEqualTo(
            """
            Apply failed with 2 conflicts: conflicts with "meshorch-cni" using apps/v1:
            - .spec.replicas
            - .spec.template.spec.containers[name="c"].image""");
  }

  @Test
  void anUpdateTakesTheFieldsItChangesAndAGoneFieldIsOwnedByNobody() {
    Map<String, Object> before =
        applied(
            null,
            "meshorch-lb",
            """
            {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"a":"1","b":"2"}}
            """,
            false);
    Map<String, Object> after = FieldPaths.copy(before);
    @SuppressWarnings("unchecked")
    Map<String, Object> data = (Map<String, Object>) after.get("data");
    data.put("a", "9");
    data.remove("b");
    data.put("c", "3");

    List<ManagedFields.Entry> entries =
        ManagedFields.afterUpdate(ManagedFields.of(before), before, after, "kubectl-edit", "", T0);

    assertThat(entries).extracting(ManagedFields.Entry::manager).containsExactly("kubectl-edit");
    assertThat(entries.get(0).operation()).isEqualTo("Update");
    assertThat(entries.get(0).fields())
        .containsExactlyInAnyOrder(List.of("f:data", "f:a"), List.of("f:data", "f:c"));
  }

  @Test
  void reapplyingWithoutChangeLeavesTheSameContent() {
    Map<String, Object> o = applied(null, "meshorch-cni", POD_TEMPLATE, false);

    Map<String, Object> again = applied(o, "meshorch-cni", POD_TEMPLATE, false);

    assertThat(ManagedFields.sameContent(o, again)).isTrue();
  }
}
