package io.meshorch.rke.application;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How this service reaches nodes and what it asks the deployer for.
 *
 * @param sshPort SSH port of every node
 * @param privateKeyPath the private key file matching the clusters' Nova keypair (absolute)
 * @param knownHosts the operator's known_hosts file, used for nodes without fingerprints; or null
 * @param kubernetesVersion the Kubernetes version to pin, or null/blank for the deployer's default
 * @param addonJobTimeout how long RKE waits for each add-on job
 */
public record RkeStepSettings(
    int sshPort,
    Path privateKeyPath,
    Path knownHosts,
    String kubernetesVersion,
    Duration addonJobTimeout) {
  public RkeStepSettings {
    Objects.requireNonNull(privateKeyPath, "privateKeyPath");
    Objects.requireNonNull(addonJobTimeout, "addonJobTimeout");
    privateKeyPath = privateKeyPath.toAbsolutePath().normalize();
  }

  /** The known_hosts file, if configured. */
  public Optional<Path> knownHostsFile() {
    return Optional.ofNullable(knownHosts);
  }
}
