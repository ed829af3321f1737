package io.meshorch.sandbox.kube;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshorch.sandbox.core.SandboxStep;
import io.meshorch.sandbox.core.pki.CertificateAuthority;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What MetalLB's controller (v0.13+, {@code controller/main.go} and {@code internal/k8s}) does in
 * the cluster once its pod runs, i.e. once Deployment {@code metallb-system/controller} is
 * available:
 *
 * <ul>
 *   <li>creates the memberlist Secret the speakers need (name from the container's {@code
 *       METALLB_ML_SECRET_NAME}, usually {@code memberlist}; key {@code secretkey}: 16 random
 *       bytes, raw base64; owned by the Deployment), unless it exists;
 *   <li>the cert rotator (open-policy-agent cert-controller, field owner {@code MetalLB}): writes a
 *       CA ({@code O=metallb}, CN {@code cert}) and a serving certificate for {@code
 *       metallb-webhook-service.metallb-system.svc} into Secret {@code metallb-webhook-cert}
 *       ({@code ca.crt}, {@code ca.key}, {@code tls.crt}, {@code tls.key}, PEM), and injects the CA
 *       as {@code caBundle} into every webhook of ValidatingWebhookConfiguration {@code
 *       metallb-webhook-configuration} and into the conversion webhook of CRD {@code
 *       bgppeers.metallb.io};
 *   <li>serves the webhook: the API server can call it {@code metallb-webhook} after all of the
 *       above ({@link MetalLbWebhookGate}).
 * </ul>
 *
 * When the controller is no longer available the webhook stops answering.
 */
final class MetalLbControllerStartup {
  private static final Logger log = LoggerFactory.getLogger(MetalLbControllerStartup.class);
  private static final SecureRandom RANDOM = new SecureRandom();

  /** cert-controller issues for ten years. */
  private static final Duration CERT_VALIDITY = Duration.ofDays(3650);

  static final String NS = MetalLbController.NS;
  static final String WEBHOOK_SECRET = "metallb-webhook-cert";
  static final String WEBHOOK_CONFIGURATION = "metallb-webhook-configuration";
  static final String CONVERSION_CRD = "bgppeers.metallb.io";
  static final String FIELD_OWNER = "MetalLB";

  private final SandboxKube sandbox;

  MetalLbControllerStartup(SandboxKube sandbox) {
    this.sandbox = sandbox;
  }

  /** One pass: the controller's duties if it runs, else the webhook is closed. */
  void reconcile(SandboxCluster cluster) {
    KubernetesClient client = cluster.controllerClient();
    MetalLbWebhookGate gate = cluster.metalLbWebhook();
    ClusterReads reads = cluster.reads();
    Deployment controller = reads.deployment(NS, "controller");
    if (!available(controller)) {
      if (gate.servesFrom().isPresent()) {
        log.info("metallb: the webhook of cluster {} stops answering", cluster.name());
      }
      gate.serveFrom(null);
      return;
    }
    memberlist(client, reads, controller);
    Secret cert = reads.secret(NS, WEBHOOK_SECRET);
    if (cert == null) {
      // cert-controller keeps failing on a missing secret; the webhook never serves.
      log.debug("metallb: no secret {}/{} on cluster {}", NS, WEBHOOK_SECRET, cluster.name());
      return;
    }
    String caBundle = certificate(client, cert);
    boolean injected =
        injectValidating(client, reads, caBundle)
            & injectConversion(client, cluster.activity(), caBundle);
    if (!injected) {
      log.debug("metallb: no webhook configuration to inject on {} yet", cluster.name());
      return;
    }
    Instant from =
        gate.servesFrom()
            .orElseGet(
                () -> {
                  Instant at =
                      Instant.now()
                          .plus(sandbox.latencies().of(SandboxStep.METALLB_WEBHOOK, cluster.ref()));
                  gate.serveFrom(at);
                  cluster.activity().wakeUpAt(at);
                  return at;
                });
    if (!Instant.now().isBefore(from) && cluster.activity().webhookServed(from)) {
      sandbox
          .recorder()
          .finished(
              SandboxStep.METALLB_WEBHOOK,
              cluster.ref(),
              "ValidatingWebhookConfiguration " + WEBHOOK_CONFIGURATION,
              Instant.now());
      log.info("metallb: the webhook of cluster {} answers", cluster.name());
    }
  }

  private static boolean available(Deployment d) {
    return d != null
        && d.getStatus() != null
        && d.getStatus().getAvailableReplicas() != null
        && d.getStatus().getAvailableReplicas() > 0;
  }

  private static void memberlist(
      KubernetesClient client, ClusterReads reads, Deployment controller) {
    String name =
        controller.getSpec().getTemplate().getSpec().getContainers().stream()
            .flatMap(
                c -> c.getEnv() == null ? java.util.stream.Stream.empty() : c.getEnv().stream())
            .filter(e -> "METALLB_ML_SECRET_NAME".equals(e.getName()))
            .map(EnvVar::getValue)
            .filter(Objects::nonNull)
            .findFirst()
            .orElse(null);
    if (name == null || reads.secret(NS, name) != null) {
      return;
    }
    byte[] key = new byte[16];
    RANDOM.nextBytes(key);
    String encoded = Base64.getEncoder().withoutPadding().encodeToString(key);
    client
        .secrets()
        .inNamespace(NS)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(NS)
                .withOwnerReferences(
                    new OwnerReferenceBuilder()
                        .withApiVersion("apps/v1")
                        .withKind("Deployment")
                        .withName(controller.getMetadata().getName())
                        .withUid(controller.getMetadata().getUid())
                        .build())
                .endMetadata()
                .addToData(
                    "secretkey",
                    Base64.getEncoder().encodeToString(encoded.getBytes(StandardCharsets.US_ASCII)))
                .build())
        .create();
    log.info("metallb: controller created the memberlist secret {}/{}", NS, name);
  }

  /** The CA (base64 PEM, as {@code caBundle} holds it), writing the certificates when missing. */
  private static String certificate(KubernetesClient client, Secret secret) {
    Map<String, String> data = secret.getData() == null ? Map.of() : secret.getData();
    if (data.containsKey("ca.crt") && data.containsKey("tls.crt") && data.containsKey("tls.key")) {
      return data.get("ca.crt");
    }
    Map<String, String> issued = issue("metallb-webhook-service." + NS + ".svc");
    client
        .secrets()
        .inNamespace(NS)
        .withName(WEBHOOK_SECRET)
        .edit(
            s -> {
              Map<String, String> merged = new LinkedHashMap<>();
              if (s.getData() != null) {
                merged.putAll(s.getData());
              }
              merged.putAll(issued);
              s.setData(merged);
              return s;
            });
    log.info("metallb: cert rotator wrote the webhook certificate into {}/{}", NS, WEBHOOK_SECRET);
    return issued.get("ca.crt");
  }

  private static boolean injectValidating(
      KubernetesClient client, ClusterReads reads, String caBundle) {
    ValidatingWebhookConfiguration config =
        reads.get(ValidatingWebhookConfiguration.class, null, WEBHOOK_CONFIGURATION);
    if (config == null) {
      return false;
    }
    boolean current =
        config.getWebhooks().stream()
            .allMatch(
                h ->
                    h.getClientConfig() != null
                        && caBundle.equals(h.getClientConfig().getCaBundle()));
    if (!current) {
      client
          .admissionRegistration()
          .v1()
          .validatingWebhookConfigurations()
          .withName(WEBHOOK_CONFIGURATION)
          .edit(
              c -> {
                for (ValidatingWebhook h : c.getWebhooks()) {
                  if (h.getClientConfig() != null) {
                    h.getClientConfig().setCaBundle(caBundle);
                  }
                }
                return c;
              });
      log.info("metallb: cert rotator injected the caBundle into {}", WEBHOOK_CONFIGURATION);
    }
    return true;
  }

  private static boolean injectConversion(
      KubernetesClient client, ClusterActivity activity, String caBundle) {
    Optional<ClusterActivity.CrdFacts> facts = activity.crd(CONVERSION_CRD);
    if (facts.isEmpty()) {
      return false;
    }
    if (!facts.get().conversionWebhook()) {
      return true;
    }
    if (!caBundle.equals(facts.get().caBundle())) {
      client
          .apiextensions()
          .v1()
          .customResourceDefinitions()
          .withName(CONVERSION_CRD)
          .edit(
              c -> {
                c.getSpec().getConversion().getWebhook().getClientConfig().setCaBundle(caBundle);
                return c;
              });
      log.info("metallb: cert rotator injected the caBundle into CRD {}", CONVERSION_CRD);
    }
    return true;
  }

  /**
   * A CA and a serving certificate for {@code dnsName}, as cert-controller issues them: Secret data
   * (base64 of PEM) under {@code ca.crt}, {@code ca.key}, {@code tls.crt}, {@code tls.key}.
   */
  static Map<String, String> issue(String dnsName) {
    // cert-controller uses RSA 2048; the sandbox CA's P-256 keys verify the same way.
    CertificateAuthority ca = CertificateAuthority.create("CN=cert,O=metallb", CERT_VALIDITY);
    CertificateAuthority.Issued server =
        ca.issue("CN=" + dnsName + ",O=metallb", List.of(dnsName), List.of(), CERT_VALIDITY);
    Map<String, String> data = new LinkedHashMap<>();
    data.put("ca.crt", base64(CertificateAuthority.pem(ca.certificate())));
    data.put("ca.key", base64(CertificateAuthority.pem(ca.keys().getPrivate())));
    data.put("tls.crt", base64(CertificateAuthority.pem(server.certificate())));
    data.put("tls.key", base64(CertificateAuthority.pem(server.keys().getPrivate())));
    return data;
  }

  private static String base64(String pem) {
    return Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.UTF_8));
  }
}
