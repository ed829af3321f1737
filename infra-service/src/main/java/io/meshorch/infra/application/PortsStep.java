package io.meshorch.infra.application;

import io.meshorch.contracts.LbIpAssigned;
import io.meshorch.contracts.NodeInfo;
import io.meshorch.contracts.PortsUpdated;
import io.meshorch.infra.domain.AddressPairMerge;
import io.meshorch.infra.domain.NetworkPortState;
import io.meshorch.infra.port.NetworkPort;
import io.meshorch.kit.failure.TerminalFailure;
import io.meshorch.kit.step.Next;
import io.meshorch.kit.step.Step;
import io.meshorch.kit.step.StepContext;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets the cluster's mesh endpoint IP through every node port (Neutron allowed-address-pairs;
 * MetalLB layer 2 may move the IP to any node), then ends with {@link PortsUpdated}. Each port is
 * read, merged ({@link AddressPairMerge}) and written with only its pairs. A port that already
 * allows the IP is left alone, so a replay writes nothing. A transient Neutron error (I/O, 5xx, a
 * 409 from a concurrent change) makes the kit call the step again after a back-off; the port is
 * then read and merged again.
 */
public final class PortsStep implements Step {
  private static final Logger log = LoggerFactory.getLogger(PortsStep.class);

  private final LbIpAssigned assigned;
  private final NetworkPort network;
  private final int pairLimit;
  private final Set<String> allowing = new HashSet<>();

  public PortsStep(LbIpAssigned assigned, NetworkPort network, int pairLimit) {
    this.assigned = assigned;
    this.network = network;
    this.pairLimit = pairLimit;
  }

  @Override
  public Next advance(StepContext ctx) {
    String ip = assigned.meshEndpointIp();
    for (NodeInfo node : assigned.nodes()) {
      if (!allowing.contains(node.portId())) {
        allow(node, ip);
        allowing.add(node.portId());
      }
    }
    List<String> portIds = assigned.nodes().stream().map(NodeInfo::portId).toList();
    return Next.done(
        new PortsUpdated(
            assigned.cluster(),
            assigned.nodes(),
            assigned.kubeconfigRef(),
            ip,
            assigned.meshEndpointPort(),
            portIds));
  }

  private void allow(NodeInfo node, String ip) {
    NetworkPortState port = network.port(node.portId());
    AddressPairMerge.Decision decision =
        AddressPairMerge.decide(port.allowedAddressPairs(), ip, pairLimit);
    if (decision instanceof AddressPairMerge.AlreadyAllowed already) {
      log.info(
          "port {} of {} already allows {} (by {})",
          port.id(),
          node.name(),
          ip,
          already.by().ipAddress());
    } else if (decision instanceof AddressPairMerge.Replace replace) {
      network.replaceAllowedAddressPairs(port, replace.pairs());
      log.info("port {} of {} now allows {}", port.id(), node.name(), ip);
    } else if (decision instanceof AddressPairMerge.LimitReached limit) {
      throw new TerminalFailure(
          "ADDRESS_PAIR_LIMIT",
          "port "
              + port.id()
              + " of node "
              + node.name()
              + " already has "
              + limit.existing()
              + " allowed address pairs; adding "
              + ip
              + " would exceed the limit of "
              + limit.limit()
              + " (Neutron max_allowed_address_pair)");
    }
  }
}
