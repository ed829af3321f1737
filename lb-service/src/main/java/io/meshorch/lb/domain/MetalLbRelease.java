package io.meshorch.lb.domain;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The MetalLB release installed and the names of its objects. Names are upstream's own (those of
 * {@code metallb-native.yaml}), so installing twice converges on the same objects.
 *
 * @param version MetalLB version without the leading {@code v}, e.g. {@code 0.15.3}, taken from the
 *     manifests' controller image
 */
public record MetalLbRelease(String version) {
  /** Namespace of MetalLB's controller, speaker and configuration objects. */
  public static final String NAMESPACE = "metallb-system";

  /** Name of the controller Deployment (it also serves the validating webhook). */
  public static final String CONTROLLER = "controller";

  /** Name of the speaker DaemonSet (answers ARP for the assigned IPs). */
  public static final String SPEAKER = "speaker";

  /** The ValidatingWebhookConfiguration whose {@code caBundle} the controller injects. */
  public static final String WEBHOOK_CONFIGURATION = "metallb-webhook-configuration";

  /** The webhooks that validate what lb-service writes: the pool and its advertisement. */
  public static final java.util.List<String> POOL_WEBHOOKS =
      java.util.List.of(
          "ipaddresspoolvalidationwebhook.metallb.io",
          "l2advertisementvalidationwebhook.metallb.io");

  /** API group of MetalLB's custom resources. */
  public static final String GROUP = "metallb.io";

  /** API version of MetalLB's custom resources. */
  public static final String API_VERSION = GROUP + "/v1beta1";

  private static final Pattern SEMVER = Pattern.compile("\\d+\\.\\d+\\.\\d+");

  /** Checks that {@code version} is a plain semantic version. */
  public MetalLbRelease {
    Objects.requireNonNull(version, "version");
    if (!SEMVER.matcher(version).matches()) {
      throw new IllegalArgumentException(
          "a MetalLB version looks like 0.15.3 (no leading v), found '" + version + "'");
    }
  }
}
