package io.meshorch.infra.adapter.openstack;

import io.meshorch.infra.port.ComputePort;

/** Nova through openstack4j. */
public final class Openstack4jComputeAdapter implements ComputePort {
  /** The service type of the calls, for clouds.yaml's {@code rate_limit}. */
  private static final String SERVICE = "compute";

  private final OpenstackSession session;
  private final int consoleLines;

  /**
   * @param session the shared Keystone session
   * @param consoleLines how many last console lines to read; 0 or less reads the whole console
   */
  public Openstack4jComputeAdapter(OpenstackSession session, int consoleLines) {
    this.session = session;
    this.consoleLines = consoleLines;
  }

  @Override
  public String consoleOutput(String serverId) {
    String console =
        session.call(
            SERVICE,
            "read console of server " + serverId,
            os -> os.compute().servers().getConsoleOutput(serverId, consoleLines));
    return console == null ? "" : console;
  }
}
