package io.meshorch.sandbox.kube;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.StatusCauseBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.RuleWithOperations;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ServiceReference;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfigurationList;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The API server's side of MetalLB's validating webhook: a write that one of the webhooks served by
 * {@code metallb-system/metallb-webhook-service} guards (by the rules of its
 * ValidatingWebhookConfiguration, e.g. CREATE/UPDATE of {@code ipaddresspools}) is refused as a
 * real API server refuses it while nothing answers behind that Service: HTTP 500, reason {@code
 * InternalError}, {@code Internal error occurred: failed calling webhook "<name>": failed to call
 * webhook: Post "https://<service>.<ns>.svc:443<path>?timeout=10s": dial tcp <clusterIP>:443:
 * connect: connection refused}. The webhook answers from the moment {@link MetalLbController} opens
 * it ({@link #serveFrom}); a write no webhook guards (no configuration yet, another resource, a
 * status update) goes through. Runs on the server's event loop: it reads the in-memory store
 * directly, never over HTTP.
 */
final class MetalLbWebhookGate extends Dispatcher {
  static final String SERVICE_NAMESPACE = "metallb-system";
  static final String SERVICE_NAME = "metallb-webhook-service";

  /** {@code /apis/<group>/<version>/namespaces/<ns>/<resource>[/<name>[/<subresource>]]}. */
  private static final Pattern WRITE =
      Pattern.compile(
          "/apis/([^/]+)/([^/]+)/namespaces/([^/]+)/([^/?]+)(/[^/?]+)?(/[^/?]+)?(\\?.*)?");

  private final Dispatcher crud;
  private final String serviceCidr;
  private volatile Instant servesFrom;

  /**
   * @param crud the store behind the gate
   * @param serviceCidr the cluster's Service range, for the address of a Service without one
   */
  MetalLbWebhookGate(Dispatcher crud, String serviceCidr) {
    this.crud = crud;
    this.serviceCidr = serviceCidr;
  }

  /** The webhook answers from {@code when} on; {@code null}: it does not answer (any more). */
  void serveFrom(Instant when) {
    this.servesFrom = when;
  }

  /** When the webhook answers from, if it is open. */
  Optional<Instant> servesFrom() {
    return Optional.ofNullable(servesFrom);
  }

  private boolean serving() {
    Instant from = servesFrom;
    return from != null && !Instant.now().isBefore(from);
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    String method = request.getMethod();
    Matcher m = WRITE.matcher(request.getPath());
    if (serving()
        || !m.matches()
        || m.group(6) != null
        || !("POST".equals(method) || "PUT".equals(method) || "PATCH".equals(method))) {
      return crud.dispatch(request);
    }
    List<String> operations =
        "POST".equals(method) ? List.of("CREATE") : List.of("UPDATE", "CREATE");
    Optional<ValidatingWebhook> guard = guard(m.group(1), m.group(2), m.group(4), operations);
    if (guard.isEmpty()) {
      return crud.dispatch(request);
    }
    return refusal(guard.get());
  }

  /** A MetalLB webhook whose rules cover {@code operations} on the resource, if any. */
  private Optional<ValidatingWebhook> guard(
      String group, String version, String resource, List<String> operations) {
    MockResponse found =
        get("/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations");
    if (found.code() != 200) {
      return Optional.empty();
    }
    ValidatingWebhookConfigurationList list =
        SandboxCluster.SERIALIZATION.unmarshal(
            body(found), ValidatingWebhookConfigurationList.class);
    for (ValidatingWebhookConfiguration config : list.getItems()) {
      for (ValidatingWebhook hook : config.getWebhooks()) {
        ServiceReference service =
            hook.getClientConfig() == null ? null : hook.getClientConfig().getService();
        if (service == null
            || !SERVICE_NAME.equals(service.getName())
            || !SERVICE_NAMESPACE.equals(service.getNamespace())
            || "Ignore".equals(hook.getFailurePolicy())) {
          continue;
        }
        for (RuleWithOperations rule : hook.getRules()) {
          if (matches(rule.getApiGroups(), group)
              && matches(rule.getApiVersions(), version)
              && matches(rule.getResources(), resource)
              && operations.stream().anyMatch(op -> matches(rule.getOperations(), op))) {
            return Optional.of(hook);
          }
        }
      }
    }
    return Optional.empty();
  }

  private static boolean matches(List<String> allowed, String value) {
    return allowed != null && (allowed.contains("*") || allowed.contains(value));
  }

  private MockResponse refusal(ValidatingWebhook hook) {
    ServiceReference ref = hook.getClientConfig().getService();
    int port = ref.getPort() == null ? 443 : ref.getPort();
    String url =
        "https://"
            + ref.getName()
            + "."
            + ref.getNamespace()
            + ".svc:"
            + port
            + (ref.getPath() == null ? "" : ref.getPath())
            + "?timeout="
            + (hook.getTimeoutSeconds() == null ? 10 : hook.getTimeoutSeconds())
            + "s";
    MockResponse service =
        get("/api/v1/namespaces/" + ref.getNamespace() + "/services/" + ref.getName());
    String cause =
        service.code() == 200
            ? "dial tcp "
                + clusterIp(SandboxCluster.SERIALIZATION.unmarshal(body(service), Service.class))
                + ":"
                + port
                + ": connect: connection refused"
            : "service \"" + ref.getName() + "\" not found";
    String reason =
        "failed calling webhook \""
            + hook.getName()
            + "\": failed to call webhook: Post \""
            + url
            + "\": "
            + cause;
    String status =
        SandboxCluster.SERIALIZATION.asJson(
            new StatusBuilder()
                .withStatus("Failure")
                .withMessage("Internal error occurred: " + reason)
                .withReason("InternalError")
                .withNewDetails()
                .withCauses(new StatusCauseBuilder().withMessage(reason).build())
                .endDetails()
                .withCode(500)
                .build());
    return new MockResponse()
        .setResponseCode(500)
        .addHeader("Content-Type", "application/json")
        .setBody(status);
  }

  /** The Service's cluster IP, or a stable address of the cluster's Service range without one. */
  private String clusterIp(Service service) {
    String ip = service.getSpec() == null ? null : service.getSpec().getClusterIP();
    if (ip != null && !ip.isBlank() && !"None".equals(ip)) {
      return ip;
    }
    long base = MetalLbController.parseRange(serviceCidr).map(r -> r[0]).orElse(0x0A2B0000L);
    long offset = 2 + Math.floorMod(service.getMetadata().getName().hashCode(), 250);
    return ClusterYml.format(base + offset);
  }

  private MockResponse get(String path) {
    return crud.dispatch(
        new RecordedRequest(
            "HTTP/1.1", HttpMethod.GET, path, Headers.builder().build(), new Buffer()));
  }

  private static String body(MockResponse response) {
    return new String(response.getBody().getBytes(), StandardCharsets.UTF_8);
  }

  @Override
  public void shutdown() {
    crud.shutdown();
  }

  @Override
  public void releaseResources() {
    crud.releaseResources();
  }
}
