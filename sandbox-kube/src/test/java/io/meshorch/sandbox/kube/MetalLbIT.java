package io.meshorch.sandbox.kube;

import static io.meshorch.sandbox.kube.KubeFixture.KS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetalLbIT {
  @TempDir Path dir;
  private SandboxKube kube;
  private SandboxCluster east;
  private KubernetesClient c;

  @BeforeEach
  void start() throws Exception {
    kube = SandboxKube.builder().controllerInterval(Duration.ofMillis(100)).build().start();
    east = KubeFixture.up(kube, dir, "east", "127.20.3.1");
    c = east.client();
  }

  @AfterEach
  void stop() {
    kube.close();
  }

  @Test
  void loadBalancerGetsTheFirstPoolAddressOnceMetalLbIsConfigured() {
    c.services().resource(KubeFixture.meshService(null)).create();

    KubeFixture.installMetalLb(c, "192.168.50.10-192.168.50.12", true);

    assertThat(KubeFixture.awaitIngressIp(c, "clustermesh-apiserver")).isEqualTo("192.168.50.10");
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> kube.loadBalancerOwner("192.168.50.10").orElse(null) == east);
  }

  @Test
  void requestedAddressIsHonouredInsideThePoolAndRefusedOutside() {
    KubeFixture.installMetalLb(c, "192.168.50.8/30", true);
    c.services().resource(KubeFixture.meshService("192.168.50.11")).create();
    c.services()
        .resource(
            new ServiceBuilder(KubeFixture.meshService("192.168.60.1"))
                .editMetadata()
                .withName("outside")
                .endMetadata()
                .build())
        .create();

    assertThat(KubeFixture.awaitIngressIp(c, "clustermesh-apiserver")).isEqualTo("192.168.50.11");
    assertThat(KubeFixture.ingressIp(c, "outside")).isNull();
  }

  @Test
  void nothingIsAssignedWithoutAnL2AdvertisementAndPendingServicesGetOneAfterwards() {
    KubeFixture.installMetalLb(c, "192.168.50.10-192.168.50.12", false);
    c.services().resource(KubeFixture.meshService(null)).create();
    await()
        .atMost(Duration.ofSeconds(15))
        .until(
            () ->
                c.apps()
                        .deployments()
                        .inNamespace("metallb-system")
                        .withName("controller")
                        .get()
                        .getStatus()
                    != null);
    // Several controller passes happen within this window; none may assign an address.
    await()
        .during(Duration.ofMillis(600))
        .atMost(Duration.ofSeconds(2))
        .until(() -> KubeFixture.ingressIp(c, "clustermesh-apiserver") == null);

    KubeFixture.advertise(c);

    assertThat(KubeFixture.awaitIngressIp(c, "clustermesh-apiserver")).isEqualTo("192.168.50.10");
  }

  @Test
  void servicesWaitWhileTheMetalLbCrdsAreMissing() {
    c.services().resource(KubeFixture.meshService(null)).create();
    KubeFixture.deployment(c, KS, "other", "app", "other");

    await()
        .during(Duration.ofMillis(600))
        .atMost(Duration.ofSeconds(2))
        .until(() -> KubeFixture.ingressIp(c, "clustermesh-apiserver") == null);
    assertThat(kube.loadBalancerOwner("192.168.50.10")).isEmpty();
  }
}
