package io.meshorch.sandbox.kube;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Field paths and the values at them, as the managed-fields bookkeeping reads them. */
class FieldPathsTest {
  private static final Map<String, Object> POD =
      ObservedCrudDispatcher.parse(
          """
          {"apiVersion":"v1","kind":"Pod",
           "metadata":{"name":"cilium-x","namespace":"kube-system","resourceVersion":"7",
            "labels":{"k8s-app":"cilium"},"annotations":{},"finalizers":["a/b","c/d"],
            "ownerReferences":[{"uid":"u1","kind":"DaemonSet","name":"cilium"}]},
           "spec":{"nodeSelector":{"kubernetes.io/os":"linux"},"hostNetwork":true,
            "containers":[
             {"name":"agent","image":"cilium:v1","args":["--a","--b"],
              "env":[{"name":"K","value":"1"},{"name":"L","valueFrom":{"fieldRef":{"fieldPath":"x"}}}],
              "ports":[{"containerPort":4240},{"containerPort":4244,"protocol":"UDP"}]},
             {"name":"init","image":"busybox","resources":{"limits":{"cpu":"100m"}}},
             {"name":"agent","image":"a duplicate key: the first item is the one found"}],
            "tolerations":[{"operator":"Exists"}]},
           "status":{"phase":"Running","conditions":[{"type":"Ready","status":"True"}],
            "podIPs":[{"ip":"10.0.0.1"}]}}
          """);

  @Test
  void eachMemberPathCarriesTheValueAWalkFromTheRootFinds() {
    Map<List<String>, Object> values = FieldPaths.valuesOf(POD);

    assertThat(values.keySet()).containsExactlyElementsOf(FieldPaths.fieldsOf(POD));
    assertThat(values).hasSizeGreaterThan(25);
    values.forEach(
        (path, value) -> assertThat(value).as("%s", path).isEqualTo(FieldPaths.valueAt(POD, path)));
    assertThat(values)
        .containsEntry(List.of("f:spec", "f:hostNetwork"), true)
        .containsEntry(List.of("f:spec", "f:nodeSelector"), Map.of("kubernetes.io/os", "linux"))
        .containsEntry(List.of("f:metadata", "f:annotations"), Map.of())
        .containsEntry(List.of("f:metadata", "f:finalizers", "v:\"c/d\""), "c/d")
        .containsEntry(
            List.of(
                "f:spec",
                "f:containers",
                "k:{\"name\":\"agent\"}",
                "f:ports",
                "k:{\"containerPort\":4244,\"protocol\":\"UDP\"}",
                "f:protocol"),
            "UDP")
        .containsEntry(
            List.of("f:spec", "f:containers", "k:{\"name\":\"agent\"}", "f:image"), "cilium:v1")
        .doesNotContainKey(List.of("f:metadata", "f:resourceVersion"))
        .doesNotContainKey(List.of("f:metadata"));
  }

  @Test
  void aPathThatIsNoMemberIsStillFoundInTheObject() {
    Map<List<String>, Object> values = FieldPaths.valuesOf(POD);

    assertThat(FieldPaths.valueAt(values, POD, List.of("f:metadata", "f:labels")))
        .isEqualTo(Map.of("k8s-app", "cilium"));
    assertThat(
            FieldPaths.valueAt(
                values, POD, List.of("f:spec", "f:containers", "k:{\"name\":\"x\"}")))
        .isSameAs(FieldPaths.MISSING);
  }
}
