package io.meshorch.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.meshorch.kit.failure.StepFailure;
import io.meshorch.kit.failure.TerminalFailure;
import io.meshorch.kit.secrets.FileSecretStore;
import io.meshorch.testkit.Kubeconfigs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@EnableKubernetesMockClient(crud = true)
class KubeClientProviderTest {
  KubernetesMockServer server;
  KubernetesClient client;

  @TempDir Path secrets;

  private String kubeconfig() {
    return Kubeconfigs.pointingAt(client.getConfiguration().getMasterUrl());
  }

  @Test
  void reachesTheClusterNamedByTheStoredKubeconfig() {
    FileSecretStore store = new FileSecretStore(secrets);
    store.put(
        "meshes/demo/clusters/east/kubeconfig", kubeconfig().getBytes(StandardCharsets.UTF_8));
    client
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName("kube-system").endMetadata().build())
        .create();
    KubeClientProvider provider =
        new KubeClientProvider(store, Duration.ofSeconds(5), Duration.ofSeconds(10));

    try (KubernetesClient east = provider.forCluster("meshes/demo/clusters/east/kubeconfig")) {
      assertThat(east.namespaces().withName("kube-system").get()).isNotNull();
      assertThat(east.getConfiguration().getRequestTimeout()).isEqualTo(10_000);
    }
  }

  @Test
  void clientsOfDifferentClustersShareOneSerializationAndItsCaches() {
    FileSecretStore store = new FileSecretStore(secrets);
    store.put(
        "meshes/demo/clusters/east/kubeconfig", kubeconfig().getBytes(StandardCharsets.UTF_8));
    store.put(
        "meshes/demo/clusters/west/kubeconfig", kubeconfig().getBytes(StandardCharsets.UTF_8));
    KubeClientProvider provider =
        new KubeClientProvider(store, Duration.ofSeconds(5), Duration.ofSeconds(10));

    try (KubernetesClient east = provider.forCluster("meshes/demo/clusters/east/kubeconfig");
        KubernetesClient west = provider.forCluster("meshes/demo/clusters/west/kubeconfig")) {
      assertThat(east.getKubernetesSerialization()).isSameAs(west.getKubernetesSerialization());
      // and the shared serialization still reads what a cluster answers
      assertThat(west.namespaces().list().getItems()).isNotNull();
    }
  }

  @Test
  void reusesOneClientPerClusterThatACallersCloseDoesNotClose() {
    FileSecretStore store = new FileSecretStore(secrets);
    store.put(
        "meshes/demo/clusters/east/kubeconfig", kubeconfig().getBytes(StandardCharsets.UTF_8));
    KubeClientProvider provider =
        new KubeClientProvider(store, Duration.ofSeconds(5), Duration.ofSeconds(10));

    KubernetesClient first = provider.forCluster("meshes/demo/clusters/east/kubeconfig");
    first.close();
    KubernetesClient second = provider.forCluster("meshes/demo/clusters/east/kubeconfig");

    assertThat(second).isSameAs(first);
    // the first caller's close left the shared client usable
    assertThat(second.namespaces().list().getItems()).isNotNull();
  }

  @Test
  void buildsANewClientWhenTheStoredKubeconfigChanges() {
    FileSecretStore store = new FileSecretStore(secrets);
    String ref = "meshes/demo/clusters/east/kubeconfig";
    store.put(ref, kubeconfig().getBytes(StandardCharsets.UTF_8));
    KubeClientProvider provider =
        new KubeClientProvider(store, Duration.ofSeconds(5), Duration.ofSeconds(10));
    KubernetesClient before = provider.forCluster(ref);

    // rke up again: the same server, new credentials
    store.put(
        ref,
        kubeconfig()
            .replace("current-context", "# re-issued\ncurrent-context")
            .getBytes(StandardCharsets.UTF_8));
    KubernetesClient after = provider.forCluster(ref);

    assertThat(after).isNotSameAs(before);
    assertThat(after.namespaces().list().getItems()).isNotNull();
    assertThat(provider.forCluster(ref)).isSameAs(after);
  }

  @Test
  void aServerErrorIsRetriedThreeTimesBeforeTheCallerSeesIt() {
    KubernetesMockServer flaky = new KubernetesMockServer();
    flaky.init();
    try {
      String path = "/api/v1/namespaces/kube-system";
      String ok =
          "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"kube-system\"}}";
      flaky.expect().get().withPath(path).andReturn(500, "{}").times(3);
      flaky.expect().get().withPath(path).andReturn(200, ok).once();
      flaky.expect().get().withPath(path).andReturn(500, "{}").times(4);
      FileSecretStore store = new FileSecretStore(secrets);
      String ref = "meshes/demo/clusters/east/kubeconfig";
      store.put(
          ref,
          Kubeconfigs.pointingAt(flaky.url("/").replaceAll("/$", ""))
              .getBytes(StandardCharsets.UTF_8));
      KubeClientProvider provider =
          new KubeClientProvider(store, Duration.ofSeconds(5), Duration.ofSeconds(10));
      KubernetesClient east = provider.forCluster(ref);

      // three failures, then an answer: the caller sees the answer
      assertThat(east.namespaces().withName("kube-system").get()).isNotNull();
      assertThat(flaky.getRequestCount()).isEqualTo(4);
      // a fourth failure in a row reaches the caller: the retries are bounded
      assertThatThrownBy(() -> east.namespaces().withName("kube-system").get())
          .isInstanceOf(KubernetesClientException.class)
          .extracting(e -> ((KubernetesClientException) e).getCode())
          .isEqualTo(500);
      assertThat(flaky.getRequestCount()).isEqualTo(8);
    } finally {
      flaky.destroy();
    }
  }

  @Test
  void failsTerminallyWhenTheKubeconfigIsMissing() {
    KubeClientProvider provider =
        new KubeClientProvider(
            new FileSecretStore(secrets), Duration.ofSeconds(5), Duration.ofSeconds(10));

    assertThatThrownBy(() -> provider.forCluster("meshes/demo/clusters/west/kubeconfig"))
        .isInstanceOf(TerminalFailure.class)
        .hasMessageContaining("meshes/demo/clusters/west/kubeconfig");
  }

  @Test
  void classifiesServerErrorsAsTransientAndRejectionsAsTerminal() {
    StepFailure unavailable =
        KubeFailures.classify("apply x", new KubernetesClientException("boom", 503, null));
    StepFailure forbidden =
        KubeFailures.classify("apply x", new KubernetesClientException("no", 403, null));

    assertThat(unavailable.retryable()).isTrue();
    assertThat(forbidden.retryable()).isFalse();
    assertThat(forbidden.getMessage()).contains("apply x", "403");
  }
}
