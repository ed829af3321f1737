package io.meshorch.sandbox.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.meshorch.sandbox.core.SandboxLatencies;
import io.meshorch.sandbox.core.SandboxStep;
import io.meshorch.sandbox.core.StepRecord;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sandbox's MetalLB controller does what the real one does before its webhook answers, and the
 * API server refuses the writes that webhook guards until then, in the real API server's words.
 */
class MetalLbWebhookIT {
  private static final String NS = "metallb-system";

  @TempDir Path dir;
  private SandboxKube kube;
  private KubernetesClient client;

  @AfterEach
  void stop() {
    if (client != null) {
      client.close();
    }
    if (kube != null) {
      kube.close();
    }
  }

  private KubernetesClient start(String latencies) throws Exception {
    kube =
        SandboxKube.builder()
            .controllerInterval(Duration.ofMillis(100))
            .latencies(SandboxLatencies.parse(latencies))
            .build()
            .start();
    SandboxCluster east = KubeFixture.up(kube, dir, "east", "127.20.5.1");
    // Without fabric8's own retries of HTTP 5xx, so that each refusal is seen.
    Config config = Config.fromKubeconfig(east.kubeconfig());
    config.setRequestRetryBackoffLimit(0);
    client = new KubernetesClientBuilder().withConfig(config).build();
    KubernetesClient c = client;
    // As the manifests ship it: the controller runs only with its ServiceAccount, RBAC and CRDs.
    for (HasMetadata object : KubeFixture.upstream(c, "metallb-native-v0.15.3.yaml")) {
      c.resource(object).create();
    }
    return c;
  }

  private static GenericKubernetesResource pool() {
    return new GenericKubernetesResourceBuilder()
        .withApiVersion("metallb.io/v1beta1")
        .withKind("IPAddressPool")
        .withNewMetadata()
        .withName("mesh-pool")
        .withNamespace(NS)
        .endMetadata()
        .addToAdditionalProperties("spec", Map.of("addresses", List.of("192.168.50.8/30")))
        .build();
  }

  private static void writePool(KubernetesClient c) {
    c.genericKubernetesResources("metallb.io/v1beta1", "IPAddressPool")
        .inNamespace(NS)
        .resource(pool())
        .create();
  }

  private static boolean available(KubernetesClient c) {
    var d = c.apps().deployments().inNamespace(NS).withName("controller").get();
    return d.getStatus() != null
        && d.getStatus().getAvailableReplicas() != null
        && d.getStatus().getAvailableReplicas() > 0;
  }

  @Test
  void refusesPoolWritesLikeARealApiServerUntilTheWebhookAnswersBehindTheReadyController()
      throws Exception {
    KubernetesClient c = start("fast,metallb-rollout=500ms,metallb-webhook=3s");

    assertThatThrownBy(() -> writePool(c))
        .as("before the controller runs")
        .isInstanceOfSatisfying(
            KubernetesClientException.class,
            e -> {
              assertThat(e.getCode()).isEqualTo(500);
              assertThat(e.getStatus().getReason()).isEqualTo("InternalError");
              assertThat(e.getStatus().getMessage())
                  .matches(
                      "Internal error occurred: failed calling webhook"
                          + " \"ipaddresspoolvalidationwebhook\\.metallb\\.io\": failed to call"
                          + " webhook: Post"
                          + " \"https://metallb-webhook-service\\.metallb-system\\.svc:443"
                          + "/validate-metallb-io-v1beta1-ipaddresspool\\?timeout=10s\": dial tcp"
                          + " \\d+\\.\\d+\\.\\d+\\.\\d+:443: connect: connection refused");
            });
    await().atMost(Duration.ofSeconds(20)).until(() -> available(c));
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> caBundles(c).stream().noneMatch(b -> b == null || b.isEmpty()));
    assertThatThrownBy(() -> writePool(c))
        .as("the controller is available but its webhook lags behind (metallb-webhook)")
        .hasMessageContaining("failed calling webhook");

    await()
        .atMost(Duration.ofSeconds(15))
        .pollInterval(Duration.ofMillis(200))
        .ignoreExceptionsMatching(e -> e.getMessage().contains("failed calling webhook"))
        .until(
            () -> {
              writePool(c);
              return true;
            });

    assertThat(
            c.genericKubernetesResources("metallb.io/v1beta1", "IPAddressPool")
                .inNamespace(NS)
                .withName("mesh-pool")
                .get())
        .isNotNull();
    StepRecord rollout =
        kube.stepLog().records().stream()
            .filter(r -> r.step() == SandboxStep.METALLB_ROLLOUT)
            .findFirst()
            .orElseThrow();
    // The pass due when the webhook starts answering records it; a write may get in just before.
    StepRecord webhook =
        await()
            .atMost(Duration.ofSeconds(5))
            .until(
                () ->
                    kube.stepLog().records().stream()
                        .filter(r -> r.step() == SandboxStep.METALLB_WEBHOOK)
                        .findFirst()
                        .orElse(null),
                r -> r != null);
    assertThat(Duration.between(rollout.finishedAt(), webhook.finishedAt()))
        .isGreaterThanOrEqualTo(Duration.ofMillis(2900));
  }

  @Test
  void theReadyControllerWritesItsCertificateInjectsTheCaAndCreatesTheMemberlistSecret()
      throws Exception {
    KubernetesClient c = start("fast");
    await().atMost(Duration.ofSeconds(20)).until(() -> available(c));
    await()
        .atMost(Duration.ofSeconds(5))
        .ignoreExceptions()
        .until(
            () -> {
              writePool(c);
              return true;
            });

    Secret cert = c.secrets().inNamespace(NS).withName("metallb-webhook-cert").get();
    assertThat(cert.getData()).containsKeys("ca.crt", "ca.key", "tls.crt", "tls.key");
    X509Certificate ca = x509(cert.getData().get("ca.crt"));
    X509Certificate tls = x509(cert.getData().get("tls.crt"));
    tls.verify(ca.getPublicKey());
    assertThat(tls.getSubjectAlternativeNames())
        .containsExactly(List.of(2, "metallb-webhook-service.metallb-system.svc"));
    assertThat(caBundles(c)).hasSize(6).containsOnly(cert.getData().get("ca.crt"));
    assertThat(
            c.apiextensions()
                .v1()
                .customResourceDefinitions()
                .withName("bgppeers.metallb.io")
                .get()
                .getSpec()
                .getConversion()
                .getWebhook()
                .getClientConfig()
                .getCaBundle())
        .as("the conversion webhook of bgppeers")
        .isEqualTo(cert.getData().get("ca.crt"));
    Secret memberlist = c.secrets().inNamespace(NS).withName("memberlist").get();
    assertThat(memberlist.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(
            o -> assertThat(o.getKind() + "/" + o.getName()).isEqualTo("Deployment/controller"));
    String key = new String(Base64.getDecoder().decode(memberlist.getData().get("secretkey")));
    assertThat(Base64.getDecoder().decode(key)).as("128 bits, raw base64").hasSize(16);
  }

  private static List<String> caBundles(KubernetesClient c) {
    ValidatingWebhookConfiguration config =
        c.admissionRegistration()
            .v1()
            .validatingWebhookConfigurations()
            .withName("metallb-webhook-configuration")
            .get();
    return config.getWebhooks().stream().map(w -> w.getClientConfig().getCaBundle()).toList();
  }

  private static X509Certificate x509(String base64Pem) throws Exception {
    return (X509Certificate)
        CertificateFactory.getInstance("X.509")
            .generateCertificate(new ByteArrayInputStream(Base64.getDecoder().decode(base64Pem)));
  }
}
