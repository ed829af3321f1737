package io.meshorch.infra.application;

import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.LbIpAssigned;
import io.meshorch.contracts.NodeInfo;
import io.meshorch.contracts.PortsUpdated;
import io.meshorch.infra.domain.AddressPairMerge;
import io.meshorch.infra.domain.NetworkPortState;
import io.meshorch.infra.port.NetworkPort;
import io.meshorch.kit.failure.TerminalFailure;
import io.meshorch.kit.port.EventPublisherPort;
import io.meshorch.kit.retry.Retrier;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Step 5 of the flow: lets the cluster's mesh endpoint IP through every node port (Neutron
 * allowed-address-pairs; MetalLB layer 2 may move the IP to any node), then publishes {@link
 * PortsUpdated}. Each port is read, merged and written as one retried unit, so a concurrent change
 * (409) is merged again; a port that already allows the IP is left alone, which makes replays
 * converge.
 */
public final class LbIpAssignedHandler {
  private static final Logger log = LoggerFactory.getLogger(LbIpAssignedHandler.class);

  private final NetworkPort network;
  private final EventPublisherPort publisher;
  private final Retrier retrier;
  private final int pairLimit;
  private final String producer;

  public LbIpAssignedHandler(
      NetworkPort network,
      EventPublisherPort publisher,
      Retrier retrier,
      int pairLimit,
      String producer) {
    this.network = network;
    this.publisher = publisher;
    this.retrier = retrier;
    this.pairLimit = pairLimit;
    this.producer = producer;
  }

  /** Handles one LbIpAssigned envelope. */
  public void handle(EventEnvelope event) {
    LbIpAssigned in = (LbIpAssigned) event.payload();
    List<String> portIds = new ArrayList<>();
    for (NodeInfo node : in.nodes()) {
      retrier.run(
          "allow " + in.meshEndpointIp() + " on port " + node.portId(),
          () -> allow(node, in.meshEndpointIp()));
      portIds.add(node.portId());
    }
    publisher.publish(
        EventEnvelope.create(
            event.meshId(),
            event.cluster(),
            event.eventId(),
            producer,
            new PortsUpdated(
                in.cluster(),
                in.nodes(),
                in.kubeconfigRef(),
                in.meshEndpointIp(),
                in.meshEndpointPort(),
                portIds)));
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
      network.replaceAllowedAddressPairs(port.id(), replace.pairs());
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
