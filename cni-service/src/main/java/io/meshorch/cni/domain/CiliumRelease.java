package io.meshorch.cni.domain;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The Cilium release to install; its images are tagged {@code v<version>} on quay.io.
 *
 * @param version Cilium version without the leading {@code v}, e.g. {@code 1.18.2}
 */
public record CiliumRelease(String version) {
  private static final Pattern SEMVER = Pattern.compile("\\d+\\.\\d+\\.\\d+");

  /** Checks that {@code version} is a plain semantic version. */
  public CiliumRelease {
    Objects.requireNonNull(version, "version");
    if (!SEMVER.matcher(version).matches()) {
      throw new IllegalArgumentException(
          "mesh.cilium.version must look like 1.18.2 (no leading v), found '" + version + "'");
    }
  }

  /** The agent image, {@code quay.io/cilium/cilium:v<version>}. */
  public String agentImage() {
    return "quay.io/cilium/cilium:v" + version;
  }

  /** The generic operator image, {@code quay.io/cilium/operator-generic:v<version>}. */
  public String operatorImage() {
    return "quay.io/cilium/operator-generic:v" + version;
  }

  /** The mesh control plane image, {@code quay.io/cilium/clustermesh-apiserver:v<version>}. */
  public String clustermeshApiserverImage() {
    return "quay.io/cilium/clustermesh-apiserver:v" + version;
  }
}
