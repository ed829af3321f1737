package io.meshorch.infra.port;

/** Nova servers. One bounded call per method; failures classified transient or terminal. */
public interface ComputePort {

  /**
   * The server's console log as Nova returns it ({@code os-getConsoleOutput}), the tail when the
   * console is long; empty text while the server has not printed anything. Read-only.
   *
   * @param serverId the Nova server ID
   */
  String consoleOutput(String serverId);
}
