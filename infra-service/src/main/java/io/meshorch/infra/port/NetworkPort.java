package io.meshorch.infra.port;

import io.meshorch.infra.domain.AddressPair;
import io.meshorch.infra.domain.NetworkPortState;
import java.util.List;

/**
 * Neutron networks and ports. One bounded call per method (two for {@link #subnetCidrs}); failures
 * classified transient or terminal.
 */
public interface NetworkPort {

  /**
   * The CIDRs of the subnets of network {@code network} (a name or an ID), the remote prefixes of
   * the mesh's security group rules. Read-only.
   *
   * @throws io.meshorch.kit.failure.TerminalFailure with code {@code NETWORK_NOT_FOUND} when no
   *     network has that name or ID
   */
  List<String> subnetCidrs(String network);

  /**
   * The port {@code portId} with its allowed-address-pairs. Read-only.
   *
   * @throws io.meshorch.kit.failure.TerminalFailure with code {@code PORT_NOT_FOUND} when the port
   *     does not exist
   */
  NetworkPortState port(String portId);

  /**
   * Replaces the allowed-address-pairs of the port {@code read} with {@code pairs} (Neutron
   * replaces, never merges), sending nothing else, only if the port is still at the revision it was
   * read at: a read-merge-write that would silently drop another writer's change is refused
   * instead. Idempotent: writing the same list again changes nothing but the revision.
   *
   * @throws io.meshorch.kit.failure.TransientFailure with code {@code PORT_CHANGED_CONCURRENTLY}
   *     when the port changed since {@code read}: read it again, merge again, write again
   * @throws io.meshorch.kit.failure.TerminalFailure with code {@code ADDRESS_PAIR_LIMIT} when
   *     Neutron refuses the number of pairs, naming the port
   */
  void replaceAllowedAddressPairs(NetworkPortState read, List<AddressPair> pairs);
}
