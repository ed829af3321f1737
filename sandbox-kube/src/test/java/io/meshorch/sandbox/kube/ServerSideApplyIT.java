package io.meshorch.sandbox.kube;

import static io.meshorch.sandbox.kube.KubeFixture.KS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.HostAliasBuilder;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceStatusBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.vertx5.Vertx5HttpClientFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Server-side apply against a sandbox API server over HTTP, as a service using {@code
 * io.meshorch.kube.KubeApply} sees it: {@code
 * client.resource(o).fieldManager("meshorch-<svc>").forceConflicts().serverSideApply()}.
 */
class ServerSideApplyIT {
  private static final String CNI = "meshorch-cni";

  @TempDir Path dir;
  private SandboxKube kube;
  private SandboxCluster cluster;
  private final List<KubernetesClient> clients = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    kube = SandboxKube.builder().controllerInterval(Duration.ofMillis(100)).build().start();
    cluster = KubeFixture.up(kube, dir, "east", "127.20.9.1");
  }

  @AfterEach
  void stop() {
    clients.forEach(KubernetesClient::close);
    kube.close();
  }

  /** A client of its own, with the user agent a real tool would send. */
  private KubernetesClient client(String userAgent) {
    Config config = Config.fromKubeconfig(cluster.kubeconfig());
    config.setUserAgent(userAgent);
    KubernetesClient c =
        new KubernetesClientBuilder()
            .withConfig(config)
            .withHttpClientFactory(new Vertx5HttpClientFactory(kube.vertx()))
            .build();
    clients.add(c);
    return c;
  }

  private static <T extends HasMetadata> T apply(KubernetesClient c, String manager, T object) {
    return c.resource(object).fieldManager(manager).forceConflicts().serverSideApply();
  }

  private static ConfigMap configMap(Map<String, String> data, Map<String, String> labels) {
    return new ConfigMapBuilder()
        .withNewMetadata()
        .withName("cilium-config")
        .withNamespace(KS)
        .withLabels(labels)
        .endMetadata()
        .withData(data)
        .build();
  }

  private static DaemonSet agents(String image) {
    return daemonSet("cilium", "cilium-agent", image);
  }

  /**
   * A plain node DaemonSet in kube-system: the kubelet starts it as it is. Cilium's agents ({@link
   * #agents}) would need their RBAC and CRDs to become ready (see {@code ComponentRbacIT}).
   */
  private static DaemonSet nodeExporter() {
    return daemonSet("node-exporter", "node-exporter", "quay.io/prometheus/node-exporter:v1.9.1");
  }

  private static DaemonSet daemonSet(String name, String container, String image) {
    return new DaemonSetBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(KS)
        .endMetadata()
        .withNewSpec()
        .withNewSelector()
        .addToMatchLabels("k8s-app", name)
        .endSelector()
        .withNewTemplate()
        .withNewMetadata()
        .addToLabels("k8s-app", name)
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName(container)
        .withImage(image)
        .endContainer()
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  private static Deployment operator(int replicas) {
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName("cilium-operator")
        .withNamespace(KS)
        .endMetadata()
        .withNewSpec()
        .withReplicas(replicas)
        .withNewSelector()
        .addToMatchLabels("name", "cilium-operator")
        .endSelector()
        .withNewTemplate()
        .withNewMetadata()
        .addToLabels("name", "cilium-operator")
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("cilium-operator")
        .withImage("quay.io/cilium/operator-generic:v1.18.2")
        .endContainer()
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  private static ManagedFieldsEntry entry(HasMetadata o, String manager, String operation) {
    return o.getMetadata().getManagedFields().stream()
        .filter(e -> e.getManager().equals(manager) && e.getOperation().equals(operation))
        .findFirst()
        .orElseThrow(() -> new AssertionError(manager + " " + operation + " not in " + o));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> fieldsV1(ManagedFieldsEntry e) {
    return (Map<String, Object>) (Map<?, ?>) e.getFieldsV1().getAdditionalProperties();
  }

  @Test
  void applyCreatesTheObjectWith201ThenMergesWith200AndRecordsTheApplier() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    String url =
        cluster.apiServerUrl()
            + "/api/v1/namespaces/kube-system/configmaps/cilium-config?fieldManager="
            + CNI
            + "&force=true";
    String body =
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cilium-config\n"
            + "data:\n  cluster-name: east\n";
    HttpRequest patch =
        HttpRequest.newBuilder(URI.create(url))
            .header("Content-Type", "application/apply-patch+yaml")
            .method("PATCH", HttpRequest.BodyPublishers.ofString(body))
            .build();

    assertThat(http.send(patch, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(201);
    assertThat(http.send(patch, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);

    ConfigMap got =
        client("kubectl/v1.32.0").configMaps().inNamespace(KS).withName("cilium-config").get();
    assertThat(got.getData()).containsEntry("cluster-name", "east");
    assertThat(got.getMetadata().getManagedFields()).hasSize(1);
    ManagedFieldsEntry e = got.getMetadata().getManagedFields().get(0);
    assertThat(e.getManager()).isEqualTo(CNI);
    assertThat(e.getOperation()).isEqualTo("Apply");
    assertThat(e.getApiVersion()).isEqualTo("v1");
    assertThat(e.getFieldsType()).isEqualTo("FieldsV1");
    assertThat(e.getTime()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
    assertThat(fieldsV1(e)).isEqualTo(Map.of("f:data", Map.of("f:cluster-name", Map.of())));
  }

  @Test
  void aSecretsStringDataIsStoredAsDataAndNeverReadBack() {
    KubernetesClient c = client("kubectl/v1.31.0");
    c.secrets()
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("plain")
                .withNamespace(KS)
                .endMetadata()
                .addToData("kept", "b2xk")
                .addToStringData("token", "s3cr3t")
                .build())
        .create();

    Secret stored = c.secrets().inNamespace(KS).withName("plain").get();

    assertThat(stored.getStringData()).isNullOrEmpty();
    assertThat(stored.getData()).containsEntry("kept", "b2xk").containsEntry("token", "czNjcjN0");
  }

  @Test
  void reapplyingTheSameObjectChangesNothing() {
    KubernetesClient c = client("cni-service/0.1.0");
    ConfigMap first = apply(c, CNI, configMap(Map.of("cluster-name", "east"), Map.of("a", "b")));
    // The controllers may still react to the first apply (or to the cluster's start): count from
    // the moment the cluster has settled and its write count stands still.
    AtomicLong seen = new AtomicLong(-1);
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              long now = cluster.activity().writes();
              return cluster.settled && seen.getAndSet(now) == now;
            });
    long writes = cluster.activity().writes();
    List<String> modified = new CopyOnWriteArrayList<>();
    Watch watch =
        c.configMaps()
            .inNamespace(KS)
            .withName("cilium-config")
            .watch(
                new Watcher<ConfigMap>() {
                  @Override
                  public void eventReceived(Action action, ConfigMap cm) {
                    if (action == Action.MODIFIED) {
                      modified.add(cm.getData().get("cluster-name"));
                    }
                  }

                  @Override
                  public void onClose(WatcherException cause) {}
                });
    try {

      ConfigMap again = apply(c, CNI, configMap(Map.of("cluster-name", "east"), Map.of("a", "b")));

      assertThat(again.getMetadata().getResourceVersion())
          .isEqualTo(first.getMetadata().getResourceVersion());
      assertThat(cluster.activity().writes()).as("changes stored").isEqualTo(writes);
      assertThat(c.configMaps().inNamespace(KS).withName("cilium-config").get()).isEqualTo(first);
      // A real change next: the first MODIFIED event the watch sees must be that one.
      apply(c, CNI, configMap(Map.of("cluster-name", "west"), Map.of("a", "b")));
      await().atMost(Duration.ofSeconds(10)).until(() -> !modified.isEmpty());
      assertThat(modified).containsExactly("west");
    } finally {
      watch.close();
    }
  }

  @Test
  void reapplyingAWorkloadNeitherRollsItNorTouchesTheStatusItsControllerOwns() {
    KubernetesClient c = client("cni-service/0.1.0");
    DaemonSet applied = nodeExporter();
    applied.setStatus(new DaemonSetStatusBuilder().withNumberReady(42).build());
    apply(c, CNI, applied);
    DaemonSet ready =
        await()
            .atMost(Duration.ofSeconds(15))
            .until(
                () -> c.apps().daemonSets().inNamespace(KS).withName("node-exporter").get(),
                ds ->
                    ds.getStatus() != null
                        && Integer.valueOf(2).equals(ds.getStatus().getNumberReady()));
    List<String> pods = podNames(c);

    DaemonSet again = apply(c, CNI, applied);

    assertThat(again.getMetadata().getResourceVersion())
        .isEqualTo(ready.getMetadata().getResourceVersion());
    assertThat(again.getStatus().getNumberReady()).isEqualTo(2);
    assertThat(podNames(c)).isEqualTo(pods);
    assertThat(fieldsV1(entry(again, CNI, "Apply"))).doesNotContainKey("f:status");
    ManagedFieldsEntry kubelet =
        again.getMetadata().getManagedFields().stream()
            .filter(e -> "status".equals(e.getSubresource()))
            .findFirst()
            .orElseThrow();
    assertThat(kubelet.getManager()).isEqualTo(SandboxCluster.CONTROLLERS);
    assertThat(kubelet.getOperation()).isEqualTo("Update");
    assertThat(fieldsV1(kubelet)).containsKey("f:status");
  }

  private static List<String> podNames(KubernetesClient c) {
    return c.pods().inNamespace(KS).withLabel("k8s-app", "node-exporter").list().getItems().stream()
        .map(Pod::getMetadata)
        .map(m -> m.getName())
        .sorted()
        .toList();
  }

  @Test
  void aFieldTheApplierNoLongerSendsIsRemoved() {
    KubernetesClient c = client("cni-service/0.1.0");
    apply(
        c, CNI, configMap(Map.of("cluster-name", "east", "debug", "true"), Map.of("tier", "mesh")));

    ConfigMap after = apply(c, CNI, configMap(Map.of("cluster-name", "east"), null));

    assertThat(after.getData()).containsOnlyKeys("cluster-name");
    assertThat(after.getMetadata().getLabels()).isNullOrEmpty();
    assertThat(fieldsV1(entry(after, CNI, "Apply")))
        .isEqualTo(Map.of("f:data", Map.of("f:cluster-name", Map.of())));
  }

  @Test
  void aCaBundleAnUpdateInjectedSurvivesTheOwnersReapply() {
    KubernetesClient lb = client("lb-service/0.1.0");
    ValidatingWebhookConfiguration webhook =
        new ValidatingWebhookConfigurationBuilder()
            .withNewMetadata()
            .withName("metallb-webhook-configuration")
            .endMetadata()
            .addNewWebhook()
            .withName("ipaddresspoolvalidationwebhook.metallb.io")
            .withAdmissionReviewVersions("v1")
            .withSideEffects("None")
            .withFailurePolicy("Fail")
            .withNewClientConfig()
            .withNewService()
            .withName("metallb-webhook-service")
            .withNamespace("metallb-system")
            .withPath("/validate-metallb-io-v1beta1-ipaddresspool")
            .endService()
            .endClientConfig()
            .addNewRule()
            .withApiGroups("metallb.io")
            .withApiVersions("v1beta1")
            .withOperations("CREATE", "UPDATE")
            .withResources("ipaddresspools")
            .endRule()
            .endWebhook()
            .build();
    apply(lb, "meshorch-lb", webhook);
    // MetalLB's controller injects its CA with an update of its own (a JSON patch here).
    client("metallb-controller/v0.15.3")
        .admissionRegistration()
        .v1()
        .validatingWebhookConfigurations()
        .withName("metallb-webhook-configuration")
        .edit(
            w -> {
              w.getWebhooks().get(0).getClientConfig().setCaBundle("Q0EK");
              return w;
            });

    ValidatingWebhookConfiguration after = apply(lb, "meshorch-lb", webhook);

    assertThat(after.getWebhooks().get(0).getClientConfig().getCaBundle()).isEqualTo("Q0EK");
    assertThat(after.getWebhooks().get(0).getRules()).hasSize(1);
    assertThat(fieldsV1(entry(after, "metallb-controller", "Update")))
        .isEqualTo(
            Map.of(
                "f:webhooks",
                Map.of(
                    "k:{\"name\":\"ipaddresspoolvalidationwebhook.metallb.io\"}",
                    Map.of("f:clientConfig", Map.of("f:caBundle", Map.of())))));
  }

  @Test
  void hostAliasesAnotherManagerAppliedSurviveTheOwnersReapply() {
    KubernetesClient cni = client("cni-service/0.1.0");
    KubernetesClient mesh = client("mesh-service/0.1.0");
    DaemonSet owned = agents("quay.io/cilium/cilium:v1.18.2");
    apply(cni, CNI, owned);
    DaemonSet aliases =
        new DaemonSetBuilder()
            .withNewMetadata()
            .withName("cilium")
            .withNamespace(KS)
            .endMetadata()
            .withNewSpec()
            .withNewTemplate()
            .withNewSpec()
            .addToHostAliases(
                new HostAliasBuilder()
                    .withIp("192.168.50.10")
                    .withHostnames("west.mesh.cilium.io")
                    .build())
            .endSpec()
            .endTemplate()
            .endSpec()
            .build();
    apply(mesh, "meshorch-mesh", aliases);

    DaemonSet after = apply(cni, CNI, agents("quay.io/cilium/cilium:v1.18.3"));

    assertThat(after.getSpec().getTemplate().getSpec().getHostAliases())
        .singleElement()
        .satisfies(a -> assertThat(a.getIp()).isEqualTo("192.168.50.10"));
    assertThat(after.getSpec().getTemplate().getSpec().getContainers())
        .singleElement()
        .satisfies(ct -> assertThat(ct.getImage()).isEqualTo("quay.io/cilium/cilium:v1.18.3"));
    assertThat(entry(after, "meshorch-mesh", "Apply")).isNotNull();
  }

  @Test
  void aFieldAnotherManagerOwnsConflictsWithoutForceAndIsTakenOverWithIt() {
    KubernetesClient cni = client("cni-service/0.1.0");
    KubernetesClient other = client("kubectl/v1.32.0");
    apply(cni, CNI, operator(2));

    assertThatThrownBy(() -> other.resource(operator(3)).fieldManager("kubectl").serverSideApply())
        .isInstanceOfSatisfying(
            KubernetesClientException.class,
            e -> {
              assertThat(e.getCode()).isEqualTo(409);
              assertThat(e.getStatus().getReason()).isEqualTo("Conflict");
              assertThat(e.getStatus().getMessage())
                  .isEqualTo(
                      "Apply failed with 1 conflict: conflict with \""
                          + CNI
                          + "\" using apps/v1: .spec.replicas");
              assertThat(e.getStatus().getDetails().getCauses())
                  .singleElement()
                  .satisfies(
                      cause -> {
                        assertThat(cause.getReason()).isEqualTo("FieldManagerConflict");
                        assertThat(cause.getField()).isEqualTo(".spec.replicas");
                      });
            });
    assertThat(cni.apps().deployments().inNamespace(KS).withName("cilium-operator").get().getSpec())
        .satisfies(s -> assertThat(s.getReplicas()).isEqualTo(2));

    Deployment taken = apply(other, "kubectl", operator(3));

    assertThat(taken.getSpec().getReplicas()).isEqualTo(3);
    assertThat(fieldsV1(entry(taken, "kubectl", "Apply"))).containsKey("f:spec");
    assertThat(entry(taken, CNI, "Apply").getFieldsV1().getAdditionalProperties().toString())
        .doesNotContain("f:replicas")
        .contains("f:template");
  }

  @Test
  void aFieldAnUpdateSetConflictsWithAnApplyThatChangesIt() {
    KubernetesClient cni = client("cni-service/0.1.0");
    apply(cni, CNI, operator(2));
    // An operator scales by hand: an Update by "kubectl".
    client("kubectl/v1.32.0")
        .apps()
        .deployments()
        .inNamespace(KS)
        .withName("cilium-operator")
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"replicas\":5}}");

    assertThatThrownBy(() -> cni.resource(operator(2)).fieldManager(CNI).serverSideApply())
        .isInstanceOfSatisfying(
            KubernetesClientException.class,
            e ->
                assertThat(e.getStatus().getMessage())
                    .isEqualTo(
                        "Apply failed with 1 conflict: conflict with \"kubectl\" using apps/v1:"
                            + " .spec.replicas"));
    assertThat(apply(cni, CNI, operator(2)).getSpec().getReplicas()).isEqualTo(2);
  }

  @Test
  void aJsonMergePatchRemovesTheFieldsItSetsToNullAndMergesTheRest() {
    KubernetesClient c = client("kubectl/v1.32.0");
    c.configMaps()
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName("merged")
                .withNamespace("kube-system")
                .addToAnnotations("keep", "1")
                .addToAnnotations("drop", "2")
                .endMetadata()
                .addToData("a", "x")
                .build())
        .create();

    // kubectl patch configmap merged --type merge -p '...'
    ConfigMap patched =
        c.configMaps()
            .inNamespace("kube-system")
            .withName("merged")
            .patch(
                PatchContext.of(PatchType.JSON_MERGE),
                "{\"metadata\":{\"annotations\":{\"drop\":null,\"new\":\"3\"}},"
                    + "\"data\":{\"b\":\"y\"}}");

    ConfigMap stored = c.configMaps().inNamespace("kube-system").withName("merged").get();
    for (ConfigMap m : List.of(patched, stored)) {
      assertThat(m.getMetadata().getAnnotations())
          .containsExactlyInAnyOrderEntriesOf(Map.of("keep", "1", "new", "3"));
      assertThat(m.getData()).containsExactlyInAnyOrderEntriesOf(Map.of("a", "x", "b", "y"));
    }
  }

  @Test
  void customResourcesAndTheirDefinitionsAreApplied() {
    KubernetesClient lb = client("lb-service/0.1.0");
    apply(
        lb,
        "meshorch-lb",
        new CustomResourceDefinitionBuilder()
            .withNewMetadata()
            .withName("ipaddresspools.metallb.io")
            .endMetadata()
            .withNewSpec()
            .withGroup("metallb.io")
            .withScope("Namespaced")
            .withNewNames()
            .withKind("IPAddressPool")
            .withPlural("ipaddresspools")
            .withSingular("ipaddresspool")
            .endNames()
            .addNewVersion()
            .withName("v1beta1")
            .withServed(true)
            .withStorage(true)
            .endVersion()
            .endSpec()
            .build());

    GenericKubernetesResource first = apply(lb, "meshorch-lb", pool("192.168.50.10-192.168.50.20"));
    GenericKubernetesResource same = apply(lb, "meshorch-lb", pool("192.168.50.10-192.168.50.20"));
    GenericKubernetesResource moved = apply(lb, "meshorch-lb", pool("192.168.60.0/28"));

    assertThat(same.getMetadata().getResourceVersion())
        .isEqualTo(first.getMetadata().getResourceVersion());
    assertThat(moved.getMetadata().getResourceVersion())
        .isNotEqualTo(first.getMetadata().getResourceVersion());
    assertThat(moved.getAdditionalProperties().get("spec"))
        .isEqualTo(Map.of("addresses", List.of("192.168.60.0/28")));
    assertThat(fieldsV1(entry(moved, "meshorch-lb", "Apply")))
        .isEqualTo(Map.of("f:spec", Map.of("f:addresses", Map.of())));
  }

  private static GenericKubernetesResource pool(String addresses) {
    return new GenericKubernetesResourceBuilder()
        .withApiVersion("metallb.io/v1beta1")
        .withKind("IPAddressPool")
        .withNewMetadata()
        .withName("mesh-pool")
        .withNamespace("metallb-system")
        .endMetadata()
        .addToAdditionalProperties("spec", Map.of("addresses", List.of(addresses)))
        .build();
  }

  @Test
  void statusIsAppliedOnlyThroughItsSubresource() {
    KubernetesClient cni = client("cni-service/0.1.0");
    Service service = KubeFixture.meshService(null);
    service.setStatus(
        new ServiceStatusBuilder()
            .withNewLoadBalancer()
            .addNewIngress()
            .withIp("10.0.0.1")
            .endIngress()
            .endLoadBalancer()
            .build());
    Service created = apply(cni, CNI, service);
    assertThat(created.getStatus() == null || created.getStatus().getLoadBalancer() == null)
        .as("status applied to the main resource is ignored: %s", created.getStatus())
        .isTrue();

    Service withIp =
        client("controller/v0.15.3")
            .services()
            .inNamespace(KS)
            .resource(KubeFixture.meshService(null))
            .subresource("status")
            .patch(
                new PatchContext.Builder()
                    .withPatchType(PatchType.SERVER_SIDE_APPLY)
                    .withFieldManager("metallb-controller")
                    .withForce(true)
                    .build(),
                service);

    assertThat(withIp.getStatus().getLoadBalancer().getIngress().get(0).getIp())
        .isEqualTo("10.0.0.1");
    ManagedFieldsEntry status = entry(withIp, "metallb-controller", "Apply");
    assertThat(status.getSubresource()).isEqualTo("status");
    assertThat(fieldsV1(status)).containsOnlyKeys("f:status");
    Service reapplied = apply(cni, CNI, service);
    assertThat(reapplied.getMetadata().getResourceVersion())
        .isEqualTo(withIp.getMetadata().getResourceVersion());
  }
}
