package io.meshorch.sandbox.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The components the sandbox plays, what each must be allowed to read (RBAC) and which CRDs it
 * waits for before it becomes ready. Each list is a representative minimal set taken from the
 * component's own upstream RBAC (what its informers list and watch), and names that source:
 *
 * <ul>
 *   <li>Cilium 1.18.12 Helm chart ({@code cilium-1.18.12.tgz} of {@code cilium/charts}), templates
 *       {@code cilium-agent/clusterrole.yaml}, {@code cilium-agent/role.yaml}, {@code
 *       cilium-operator/clusterrole.yaml}, {@code clustermesh-apiserver/clusterrole.yaml};
 *   <li>MetalLB v0.15.3 {@code config/manifests/metallb-native.yaml} (repository {@code
 *       metallb/metallb}).
 * </ul>
 *
 * <p>The Cilium CRDs are registered by the Cilium operator at run time (the chart has none; see
 * {@link CiliumOperator}); the agents and the clustermesh-apiserver wait for them. MetalLB's CRDs
 * come with its manifests.
 */
final class ComponentRights {
  /**
   * One right: {@code verb} on {@code resource} of {@code apiGroup}, needed in the component's
   * namespace ({@code namespaced}) or at the cluster scope.
   */
  record Right(String apiGroup, String resource, String verb, boolean namespaced) {}

  /** A CRD a component watches: its name, and the kind and version its informer asks for. */
  record Crd(String name, String kind, String version) {}

  /**
   * One component.
   *
   * @param name how the README and messages call it
   * @param kind DaemonSet or Deployment
   * @param namespace its namespace
   * @param workload the workload's name
   * @param rights what its informers need
   * @param crds the CRDs it waits for
   * @param source where {@code rights} come from (file and line range)
   */
  record Component(
      String name,
      String kind,
      String namespace,
      String workload,
      List<Right> rights,
      List<Crd> crds,
      String source) {
    boolean isCilium() {
      return crds.stream().anyMatch(c -> c.name().endsWith(".cilium.io"));
    }

    /** What the component logs before it exits when CRDs it waits for are missing. */
    String missingCrds(List<Crd> missing) {
      if (isCilium()) {
        return "Unable to find all Cilium CRDs necessary within 5m0s timeout. Please ensure that"
            + " Cilium Operator is running, as it's responsible for registering all the Cilium"
            + " CRDs. The following CRDs were not found: "
            + missing.stream()
                .map(c -> "crd:" + c.name())
                .collect(Collectors.joining(" ", "[", "]"));
      }
      Crd first = missing.get(0);
      return "no matches for kind \""
          + first.kind()
          + "\" in version \""
          + first.name().substring(first.name().indexOf('.') + 1)
          + "/"
          + first.version()
          + "\"";
    }
  }

  static final String CILIUM_CHART = "Cilium 1.18.12 chart templates/";
  static final String METALLB = "MetalLB v0.15.3 config/manifests/metallb-native.yaml";

  static final List<Crd> CILIUM_CRDS =
      List.of(
          cilium("ciliumnodes", "CiliumNode"),
          cilium("ciliumidentities", "CiliumIdentity"),
          cilium("ciliumendpoints", "CiliumEndpoint"),
          cilium("ciliumnetworkpolicies", "CiliumNetworkPolicy"),
          cilium("ciliumclusterwidenetworkpolicies", "CiliumClusterwideNetworkPolicy"));

  private static final List<Crd> METALLB_CRDS =
      List.of(
          metallb("ipaddresspools", "IPAddressPool", "v1beta1"),
          metallb("l2advertisements", "L2Advertisement", "v1beta1"),
          metallb("bgpadvertisements", "BGPAdvertisement", "v1beta1"),
          metallb("bgppeers", "BGPPeer", "v1beta2"),
          metallb("bfdprofiles", "BFDProfile", "v1beta1"),
          metallb("communities", "Community", "v1beta1"));

  static final List<Component> ALL =
      List.of(
          new Component(
              "Cilium agent",
              "DaemonSet",
              "kube-system",
              "cilium",
              concat(
                  rights("", List.of("namespaces", "services", "pods", "nodes"), "list watch"),
                  rights("discovery.k8s.io", List.of("endpointslices"), "list watch"),
                  rights(
                      "apiextensions.k8s.io", List.of("customresourcedefinitions"), "list watch"),
                  rights(
                      "cilium.io",
                      List.of("ciliumnodes", "ciliumidentities", "ciliumendpoints"),
                      "list watch"),
                  rights("cilium.io", List.of("ciliumnodes"), "create"),
                  namespaced("", List.of("configmaps"), "get list watch")),
              CILIUM_CRDS,
              CILIUM_CHART
                  + "cilium-agent/clusterrole.yaml lines 29-51, 82-125 (ClusterRole cilium),"
                  + " cilium-agent/role.yaml lines 5-27 (Role cilium-config-agent)"),
          new Component(
              "Cilium operator",
              "Deployment",
              "kube-system",
              "cilium-operator",
              concat(
                  rights("", List.of("pods", "namespaces", "services", "endpoints"), "list watch"),
                  rights("cilium.io", List.of("ciliumnodes"), "create update get list watch"),
                  rights(
                      "apiextensions.k8s.io",
                      List.of("customresourcedefinitions"),
                      "create get list watch")),
              List.of(),
              CILIUM_CHART
                  + "cilium-operator/clusterrole.yaml lines 17-24, 100-121, 181-190, 224-232"
                  + " (ClusterRole cilium-operator)"),
          new Component(
              "clustermesh-apiserver",
              "Deployment",
              "kube-system",
              "clustermesh-apiserver",
              concat(
                  rights(
                      "cilium.io",
                      List.of("ciliumidentities", "ciliumendpoints", "ciliumnodes"),
                      "get list watch"),
                  rights(
                      "apiextensions.k8s.io", List.of("customresourcedefinitions"), "list watch"),
                  rights("", List.of("endpoints", "namespaces", "services"), "list watch"),
                  rights("discovery.k8s.io", List.of("endpointslices"), "list watch")),
              CILIUM_CRDS.subList(0, 3),
              CILIUM_CHART
                  + "clustermesh-apiserver/clusterrole.yaml lines 15-52"
                  + " (ClusterRole clustermesh-apiserver)"),
          new Component(
              "MetalLB controller",
              "Deployment",
              "metallb-system",
              "controller",
              concat(
                  rights("", List.of("services", "namespaces"), "list watch"),
                  rights("", List.of("services/status"), "update"),
                  namespaced("", List.of("secrets"), "create get list watch"),
                  namespaced(
                      "metallb.io",
                      List.of("ipaddresspools", "l2advertisements", "bgpadvertisements"),
                      "list watch")),
              METALLB_CRDS,
              METALLB
                  + " lines 1539-1627 (Role controller), 1716-1826"
                  + " (ClusterRole metallb-system:controller)"),
          new Component(
              "MetalLB speaker",
              "DaemonSet",
              "metallb-system",
              "speaker",
              concat(
                  rights("", List.of("services", "endpoints", "nodes", "namespaces"), "list watch"),
                  rights("discovery.k8s.io", List.of("endpointslices"), "list watch"),
                  namespaced("", List.of("pods"), "get list"),
                  namespaced("", List.of("secrets", "configmaps"), "list watch"),
                  namespaced(
                      "metallb.io", List.of("ipaddresspools", "l2advertisements"), "list watch")),
              METALLB_CRDS,
              METALLB
                  + " lines 1629-1714 (Role pod-lister), 1828-1877"
                  + " (ClusterRole metallb-system:speaker)"));

  private ComponentRights() {}

  /** The component {@code workload} is, if the sandbox plays one. */
  static Optional<Component> of(HasMetadata workload) {
    return ALL.stream()
        .filter(c -> c.kind().equals(workload.getKind()))
        .filter(c -> c.namespace().equals(workload.getMetadata().getNamespace()))
        .filter(c -> c.workload().equals(workload.getMetadata().getName()))
        .findFirst();
  }

  private static Crd cilium(String plural, String kind) {
    return new Crd(plural + ".cilium.io", kind, "v2");
  }

  private static Crd metallb(String plural, String kind, String version) {
    return new Crd(plural + ".metallb.io", kind, version);
  }

  private static List<Right> rights(String group, List<String> resources, String verbs) {
    return expand(group, resources, verbs, false);
  }

  private static List<Right> namespaced(String group, List<String> resources, String verbs) {
    return expand(group, resources, verbs, true);
  }

  private static List<Right> expand(
      String group, List<String> resources, String verbs, boolean namespaced) {
    List<Right> out = new ArrayList<>();
    for (String resource : resources) {
      for (String verb : verbs.split(" ")) {
        out.add(new Right(group, resource, verb, namespaced));
      }
    }
    return out;
  }

  @SafeVarargs
  private static List<Right> concat(List<Right>... lists) {
    List<Right> out = new ArrayList<>();
    for (List<Right> l : lists) {
      out.addAll(l);
    }
    return List.copyOf(out);
  }
}
