package io.meshorch.rke.application;

import io.meshorch.kit.retry.Backoff;
import java.nio.file.Path;
import java.time.Duration;

/**
 * What the VmsReady step needs to know besides its ports.
 *
 * @param producer the service name on published events
 * @param sshPort the nodes' SSH port
 * @param sshKeyPath the private key rke uses (written into cluster.yml, never read here)
 * @param knownHostsFile known_hosts for nodes without console fingerprints, or null
 * @param workDir where each cluster's folder (cluster.yml, RKE state) lives
 * @param readyTimeout how long a node may take to answer over SSH
 * @param pollInterval pause between readiness checks
 * @param commandTimeout limit of one remote command
 * @param addonJobTimeoutSeconds RKE's add-on job timeout
 * @param rkeRetries attempts and pauses of {@code rke up}
 */
public record RkeSettings(
    String producer,
    int sshPort,
    String sshKeyPath,
    String knownHostsFile,
    Path workDir,
    Duration readyTimeout,
    Duration pollInterval,
    Duration commandTimeout,
    int addonJobTimeoutSeconds,
    Backoff rkeRetries) {}
