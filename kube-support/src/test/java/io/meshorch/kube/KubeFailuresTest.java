package io.meshorch.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.meshorch.kit.failure.StepFailure;
import io.meshorch.kit.failure.TransientFailure;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

class KubeFailuresTest {

  @Test
  void anApiServerThatAcceptsNoConnectionIsTransientNotAPersonsProblem() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    KubernetesClientException e;
    try (KubernetesClient gone =
        new KubernetesClientBuilder()
            .withConfig(
                new io.fabric8.kubernetes.client.ConfigBuilder()
                    .withMasterUrl("http://127.0.0.1:" + closedPort)
                    .withRequestRetryBackoffLimit(0)
                    .withConnectionTimeout(2_000)
                    .build())
            .build()) {
      e =
          catchThrowableOfType(
              KubernetesClientException.class,
              () -> gone.configMaps().inNamespace("metallb-system").withName("x").get());
    }

    StepFailure failure = KubeFailures.classify("read ConfigMap metallb-system/x", e);

    assertThat(failure).isInstanceOf(TransientFailure.class);
    assertThat(failure.code()).isEqualTo("KUBE_API_UNAVAILABLE");
    assertThat(failure.getMessage()).startsWith("read ConfigMap metallb-system/x failed: ");
  }
}
