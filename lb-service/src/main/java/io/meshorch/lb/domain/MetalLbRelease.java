package io.meshorch.lb.domain;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The MetalLB release to install and the names of its objects. Names are fixed (upstream's own), so
 * installing twice converges on the same objects.
 *
 * @param version MetalLB version without the leading {@code v}, e.g. {@code 0.14.9}
 */
public record MetalLbRelease(String version) {
  /** Namespace of MetalLB's controller, speaker and configuration objects. */
  public static final String NAMESPACE = "metallb-system";

  /** Name of the controller Deployment (it also serves the validating webhook). */
  public static final String CONTROLLER = "controller";

  /** Name of the speaker DaemonSet (answers ARP for the assigned IPs). */
  public static final String SPEAKER = "speaker";

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
          "mesh.metallb.version must look like 0.14.9 (no leading v), found '" + version + "'");
    }
  }

  /** The controller image, {@code quay.io/metallb/controller:v<version>}. */
  public String controllerImage() {
    return "quay.io/metallb/controller:v" + version;
  }

  /** The speaker image, {@code quay.io/metallb/speaker:v<version>}. */
  public String speakerImage() {
    return "quay.io/metallb/speaker:v" + version;
  }
}
