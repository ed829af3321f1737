package io.meshorch.infra.application;

import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.LbIpAssigned;
import io.meshorch.infra.port.NetworkPort;
import io.meshorch.kit.step.Plan;

/**
 * Step 5 of the flow, what an {@link LbIpAssigned} starts: one {@link PortsStep} for its cluster.
 */
public final class LbIpAssignedSteps {
  private final NetworkPort network;
  private final int pairLimit;

  /**
   * @param pairLimit the cloud's {@code max_allowed_address_pair}
   */
  public LbIpAssignedSteps(NetworkPort network, int pairLimit) {
    this.network = network;
    this.pairLimit = pairLimit;
  }

  /** What {@code event} (an LbIpAssigned) starts: the ports step of its cluster. */
  public Plan plan(EventEnvelope event) {
    LbIpAssigned assigned = (LbIpAssigned) event.payload();
    return Plan.step(event, () -> step(assigned));
  }

  /** A fresh ports step for {@code assigned}. */
  public PortsStep step(LbIpAssigned assigned) {
    return new PortsStep(assigned, network, pairLimit);
  }
}
