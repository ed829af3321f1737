package io.meshorch.lb.adapter.kubernetes;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaPropsBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.meshorch.lb.domain.AddressPoolSpec;
import io.meshorch.lb.domain.MetalLbRelease;
import java.util.List;
import java.util.Map;

/**
 * MetalLB's objects as fabric8 models, following the upstream native manifests (trimmed to what
 * layer-2 mode needs). Pure rendering: no API calls.
 */
final class MetalLbManifests {
  static final String POOL_KIND = "IPAddressPool";
  static final String L2_KIND = "L2Advertisement";
  private static final Map<String, String> MANAGED =
      Map.of("app.kubernetes.io/managed-by", "lb-service");
  private static final String NS = MetalLbRelease.NAMESPACE;

  private MetalLbManifests() {}

  static Map<String, String> labels(String component) {
    return Map.of("app", "metallb", "component", component);
  }

  static Namespace namespace() {
    return new NamespaceBuilder()
        .withNewMetadata()
        .withName(NS)
        .addToLabels(MANAGED)
        // The speaker runs with host networking and NET_RAW.
        .addToLabels("pod-security.kubernetes.io/enforce", "privileged")
        .endMetadata()
        .build();
  }

  static List<CustomResourceDefinition> crds() {
    return List.of(crd(POOL_KIND, "ipaddresspools"), crd(L2_KIND, "l2advertisements"));
  }

  private static CustomResourceDefinition crd(String kind, String plural) {
    return new CustomResourceDefinitionBuilder()
        .withNewMetadata()
        .withName(plural + "." + MetalLbRelease.GROUP)
        .addToLabels(MANAGED)
        .endMetadata()
        .withNewSpec()
        .withGroup(MetalLbRelease.GROUP)
        .withScope("Namespaced")
        .withNewNames()
        .withKind(kind)
        .withListKind(kind + "List")
        .withPlural(plural)
        .withSingular(kind.toLowerCase(java.util.Locale.ROOT))
        .endNames()
        .addNewVersion()
        .withName("v1beta1")
        .withServed(true)
        .withStorage(true)
        .withNewSchema()
        .withOpenAPIV3Schema(
            new JSONSchemaPropsBuilder()
                .withType("object")
                .addToProperties(
                    "spec",
                    new JSONSchemaPropsBuilder()
                        .withType("object")
                        .withXKubernetesPreserveUnknownFields(true)
                        .build())
                .addToProperties(
                    "status",
                    new JSONSchemaPropsBuilder()
                        .withType("object")
                        .withXKubernetesPreserveUnknownFields(true)
                        .build())
                .build())
        .endSchema()
        .endVersion()
        .endSpec()
        .build();
  }

  static ServiceAccount serviceAccount(String name) {
    return new ServiceAccountBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(NS)
        .addToLabels(labels(name))
        .endMetadata()
        .build();
  }

  static ClusterRole clusterRole(String component) {
    List<PolicyRule> rules =
        MetalLbRelease.CONTROLLER.equals(component)
            ? List.of(
                rule("", List.of("services", "namespaces"), "get", "list", "watch"),
                rule("", List.of("services/status"), "update"),
                rule("", List.of("events"), "create", "patch"),
                rule(
                    MetalLbRelease.GROUP,
                    List.of("ipaddresspools", "ipaddresspools/status", "l2advertisements"),
                    "get",
                    "list",
                    "watch",
                    "update"))
            : List.of(
                rule(
                    "",
                    List.of("services", "endpoints", "nodes", "namespaces"),
                    "get",
                    "list",
                    "watch"),
                rule("discovery.k8s.io", List.of("endpointslices"), "get", "list", "watch"),
                rule("", List.of("events"), "create", "patch"),
                rule(
                    MetalLbRelease.GROUP,
                    List.of("ipaddresspools", "l2advertisements"),
                    "get",
                    "list",
                    "watch"));
    return new ClusterRoleBuilder()
        .withNewMetadata()
        .withName(roleName(component))
        .addToLabels(labels(component))
        .endMetadata()
        .withRules(rules)
        .build();
  }

  static ClusterRoleBinding clusterRoleBinding(String component) {
    return new ClusterRoleBindingBuilder()
        .withNewMetadata()
        .withName(roleName(component))
        .addToLabels(labels(component))
        .endMetadata()
        .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", roleName(component))
        .addNewSubject()
        .withKind("ServiceAccount")
        .withName(component)
        .withNamespace(NS)
        .endSubject()
        .build();
  }

  private static String roleName(String component) {
    return NS + ":" + component;
  }

  private static PolicyRule rule(String group, List<String> resources, String... verbs) {
    return new PolicyRuleBuilder()
        .withApiGroups(group)
        .withResources(resources)
        .withVerbs(verbs)
        .build();
  }

  static Deployment controller(MetalLbRelease release) {
    Map<String, String> labels = labels(MetalLbRelease.CONTROLLER);
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName(MetalLbRelease.CONTROLLER)
        .withNamespace(NS)
        .addToLabels(labels)
        .endMetadata()
        .withNewSpec()
        .withReplicas(1)
        .withRevisionHistoryLimit(3)
        .withNewSelector()
        .addToMatchLabels(labels)
        .endSelector()
        .withNewTemplate()
        .withNewMetadata()
        .addToLabels(labels)
        .endMetadata()
        .withNewSpec()
        .withServiceAccountName(MetalLbRelease.CONTROLLER)
        .withTerminationGracePeriodSeconds(0L)
        .addToNodeSelector("kubernetes.io/os", "linux")
        .addNewContainer()
        .withName(MetalLbRelease.CONTROLLER)
        .withImage(release.controllerImage())
        .withArgs("--port=7472", "--log-level=info")
        .addNewPort()
        .withName("monitoring")
        .withContainerPort(7472)
        .endPort()
        .addNewPort()
        .withName("webhook-server")
        .withContainerPort(9443)
        .endPort()
        .endContainer()
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  static DaemonSet speaker(MetalLbRelease release) {
    Map<String, String> labels = labels(MetalLbRelease.SPEAKER);
    return new DaemonSetBuilder()
        .withNewMetadata()
        .withName(MetalLbRelease.SPEAKER)
        .withNamespace(NS)
        .addToLabels(labels)
        .endMetadata()
        .withNewSpec()
        .withNewSelector()
        .addToMatchLabels(labels)
        .endSelector()
        .withNewTemplate()
        .withNewMetadata()
        .addToLabels(labels)
        .endMetadata()
        .withNewSpec()
        .withServiceAccountName(MetalLbRelease.SPEAKER)
        .withHostNetwork(true)
        .withTerminationGracePeriodSeconds(2L)
        .addToNodeSelector("kubernetes.io/os", "linux")
        .addNewToleration()
        .withKey("node-role.kubernetes.io/control-plane")
        .withOperator("Exists")
        .withEffect("NoSchedule")
        .endToleration()
        .addNewContainer()
        .withName(MetalLbRelease.SPEAKER)
        .withImage(release.speakerImage())
        .withArgs("--port=7472", "--log-level=info")
        .addNewEnv()
        .withName("METALLB_NODE_NAME")
        .withNewValueFrom()
        .withNewFieldRef()
        .withFieldPath("spec.nodeName")
        .endFieldRef()
        .endValueFrom()
        .endEnv()
        .addNewEnv()
        .withName("METALLB_HOST")
        .withNewValueFrom()
        .withNewFieldRef()
        .withFieldPath("status.hostIP")
        .endFieldRef()
        .endValueFrom()
        .endEnv()
        .addNewPort()
        .withName("monitoring")
        .withContainerPort(7472)
        .endPort()
        .withNewSecurityContext()
        .withNewCapabilities()
        .withAdd("NET_RAW")
        .withDrop("ALL")
        .endCapabilities()
        .endSecurityContext()
        .endContainer()
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  static GenericKubernetesResource pool(AddressPoolSpec pool) {
    return custom(POOL_KIND, AddressPoolSpec.POOL_NAME, Map.of("addresses", pool.addresses()));
  }

  static GenericKubernetesResource l2Advertisement() {
    return custom(
        L2_KIND,
        AddressPoolSpec.L2_NAME,
        Map.of("ipAddressPools", List.of(AddressPoolSpec.POOL_NAME)));
  }

  private static GenericKubernetesResource custom(
      String kind, String name, Map<String, Object> spec) {
    return new GenericKubernetesResourceBuilder()
        .withApiVersion(MetalLbRelease.API_VERSION)
        .withKind(kind)
        .withNewMetadata()
        .withName(name)
        .withNamespace(NS)
        .addToLabels(MANAGED)
        .endMetadata()
        .withAdditionalProperties(Map.of("spec", spec))
        .build();
  }
}
