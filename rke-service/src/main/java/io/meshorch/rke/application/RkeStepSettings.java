package io.meshorch.rke.application;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How this service reaches nodes, how long it waits for them and for the deployer, and what it asks
 * the deployer for.
 *
 * @param sshPort SSH port of every node
 * @param privateKeyPath the private key file matching the clusters' Nova keypair (absolute)
 * @param knownHosts the operator's known_hosts file, used for nodes without fingerprints; or null
 * @param commandTimeout longest one remote check may run
 * @param readyTimeout longest wait for the nodes of a cluster to become ready
 * @param deployTimeout longest one deployment ({@code rke up}) may run before it is killed
 * @param kubernetesVersion the Kubernetes version to pin, or null/blank for the deployer's default
 * @param addonJobTimeout how long RKE waits for each add-on job
 * @param rke2Version the RKE2 release for RKE2 clusters that name none
 */
public record RkeStepSettings(
    int sshPort,
    Path privateKeyPath,
    Path knownHosts,
    Duration commandTimeout,
    Duration readyTimeout,
    Duration deployTimeout,
    String kubernetesVersion,
    Duration addonJobTimeout,
    String rke2Version) {
  public RkeStepSettings {
    Objects.requireNonNull(privateKeyPath, "privateKeyPath");
    Objects.requireNonNull(commandTimeout, "commandTimeout");
    Objects.requireNonNull(readyTimeout, "readyTimeout");
    Objects.requireNonNull(deployTimeout, "deployTimeout");
    Objects.requireNonNull(addonJobTimeout, "addonJobTimeout");
    privateKeyPath = privateKeyPath.toAbsolutePath().normalize();
  }

  /** Settings without an RKE2 default release (RKE2 clusters then need their own version). */
  public RkeStepSettings(
      int sshPort,
      Path privateKeyPath,
      Path knownHosts,
      Duration commandTimeout,
      Duration readyTimeout,
      Duration deployTimeout,
      String kubernetesVersion,
      Duration addonJobTimeout) {
    this(
        sshPort,
        privateKeyPath,
        knownHosts,
        commandTimeout,
        readyTimeout,
        deployTimeout,
        kubernetesVersion,
        addonJobTimeout,
        null);
  }

  /** The known_hosts file, if configured. */
  public Optional<Path> knownHostsFile() {
    return Optional.ofNullable(knownHosts);
  }
}
