package io.meshorch.rke.domain;

/**
 * What a remote command left behind.
 *
 * @param exitStatus the command's exit status (-1 when the server sent none)
 * @param stdout its standard output, UTF-8
 * @param stderr its standard error, UTF-8
 */
public record CommandResult(int exitStatus, String stdout, String stderr) {
  /** True when the command exited with 0. */
  public boolean succeeded() {
    return exitStatus == 0;
  }
}
