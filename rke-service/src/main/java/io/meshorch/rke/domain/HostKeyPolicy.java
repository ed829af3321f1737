package io.meshorch.rke.domain;

import java.util.List;

/**
 * How a node's SSH host key is verified: pinned to the fingerprints cloud-init printed on the
 * server console (carried by VmsReady), else checked against the operator's known_hosts file. Never
 * "accept anything".
 *
 * @param pinnedFingerprints {@code SHA256:…} fingerprints to accept; empty to use known_hosts
 * @param knownHostsFile the known_hosts path, or null
 */
public record HostKeyPolicy(List<String> pinnedFingerprints, String knownHostsFile) {

  public HostKeyPolicy {
    pinnedFingerprints = List.copyOf(pinnedFingerprints);
  }

  /** The policy for a node: its pinned keys if it has any, else the known_hosts file, if any. */
  public static HostKeyPolicy forNode(List<String> fingerprints, String knownHostsFile) {
    return new HostKeyPolicy(fingerprints, fingerprints.isEmpty() ? knownHostsFile : null);
  }

  /** True when there is a way to verify the host key at all. */
  public boolean verifiable() {
    return !pinnedFingerprints.isEmpty() || (knownHostsFile != null && !knownHostsFile.isBlank());
  }
}
