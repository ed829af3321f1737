package io.meshorch.rke.adapter.ssh;

import java.io.IOException;
import java.nio.file.Path;
import java.security.PublicKey;
import net.schmizz.sshj.transport.verification.OpenSSHKnownHosts;

/**
 * An OpenSSH known_hosts verifier that refuses unknown hosts (no trust on first use, the file is
 * never written) and remembers whether the host was missing or its key changed, so that the two can
 * be reported apart.
 */
final class RecordingKnownHosts extends OpenSSHKnownHosts {
  private volatile boolean unknownHost;

  RecordingKnownHosts(Path file) throws IOException {
    super(file.toFile());
  }

  @Override
  protected boolean hostKeyUnverifiableAction(String hostname, PublicKey key) {
    unknownHost = true;
    return false;
  }

  @Override
  protected boolean hostKeyChangedAction(String hostname, PublicKey key) {
    return false;
  }

  /** True when the last verification failed because the host had no entry. */
  boolean unknownHost() {
    return unknownHost;
  }
}
