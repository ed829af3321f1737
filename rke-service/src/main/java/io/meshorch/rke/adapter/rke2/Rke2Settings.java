package io.meshorch.rke.adapter.rke2;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How the RKE2 deployer installs RKE2 on the nodes.
 *
 * @param defaultVersion the release installed when a cluster names none, e.g. {@code
 *     v1.32.5+rke2r1}
 * @param installScriptUrl where the nodes fetch RKE2's install script ({@code
 *     https://get.rke2.io}); unused with {@code artifactPath}
 * @param artifactPath an air-gap folder present on every node holding {@code install.sh}, the
 *     release tarball and its checksums ({@code INSTALL_RKE2_ARTIFACT_PATH}); null: the script
 *     downloads the release
 * @param commandTimeout longest one short command (probe, config, start, look) may run
 * @param installTimeout longest the install command may run (it downloads the release)
 */
public record Rke2Settings(
    String defaultVersion,
    String installScriptUrl,
    String artifactPath,
    Duration commandTimeout,
    Duration installTimeout) {
  public Rke2Settings {
    Objects.requireNonNull(defaultVersion, "defaultVersion");
    Objects.requireNonNull(installScriptUrl, "installScriptUrl");
    Objects.requireNonNull(commandTimeout, "commandTimeout");
    Objects.requireNonNull(installTimeout, "installTimeout");
    artifactPath = artifactPath == null || artifactPath.isBlank() ? null : artifactPath;
  }

  /** The air-gap folder, if configured. */
  public Optional<String> artifacts() {
    return Optional.ofNullable(artifactPath);
  }
}
