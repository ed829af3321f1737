package io.meshorch.rke.domain;

/**
 * What a remote command did.
 *
 * @param exitStatus its exit status
 * @param stdout what it printed (trimmed)
 */
public record CommandResult(int exitStatus, String stdout) {
  public boolean ok() {
    return exitStatus == 0;
  }
}
