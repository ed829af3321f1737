package io.meshorch.infra.adapter.openstack;

import io.meshorch.infra.domain.AddressPair;
import io.meshorch.infra.domain.NetworkPortState;
import io.meshorch.infra.port.NetworkPort;
import io.meshorch.kit.failure.TerminalFailure;
import io.meshorch.kit.failure.TransientFailure;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.openstack4j.model.network.AllowedAddressPair;
import org.openstack4j.model.network.Network;
import org.openstack4j.model.network.Port;
import org.openstack4j.model.network.Subnet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Neutron ports. Reads go through openstack4j; the pair update is one raw {@code PUT
 * /v2.0/ports/{id}} carrying only {@code allowed_address_pairs}, with openstack4j's token and the
 * catalog's network endpoint, because openstack4j's own port update also sends the read-only {@code
 * created_at}, which Neutron rejects with 400.
 */
public final class Openstack4jNetworkAdapter implements NetworkPort {
  private static final Logger log = LoggerFactory.getLogger(Openstack4jNetworkAdapter.class);

  private final OpenstackSession session;
  private final JsonMapper json = JsonMapper.builder().build();

  public Openstack4jNetworkAdapter(OpenstackSession session) {
    this.session = session;
  }

  @Override
  public List<String> subnetCidrs(String network) {
    List<? extends Network> byName =
        session.call(
            "find network " + network,
            os -> os.networking().network().list(Map.of("name", network)));
    Network found =
        byName != null && !byName.isEmpty()
            ? byName.get(0)
            : session.call("read network " + network, os -> os.networking().network().get(network));
    if (found == null) {
      throw new TerminalFailure(
          "NETWORK_NOT_FOUND", "no Neutron network has the name or ID '" + network + "'");
    }
    List<String> cidrs = new ArrayList<>();
    for (String subnetId : found.getSubnets() == null ? List.<String>of() : found.getSubnets()) {
      Subnet subnet =
          session.call("read subnet " + subnetId, os -> os.networking().subnet().get(subnetId));
      if (subnet != null && subnet.getCidr() != null && !subnet.getCidr().contains(":")) {
        cidrs.add(subnet.getCidr());
      }
    }
    return cidrs;
  }

  @Override
  public NetworkPortState port(String portId) {
    Port port = session.call("read port " + portId, os -> os.networking().port().get(portId));
    if (port == null) {
      throw new TerminalFailure("PORT_NOT_FOUND", "port " + portId + " does not exist");
    }
    List<AddressPair> pairs = new ArrayList<>();
    if (port.getAllowedAddressPairs() != null) {
      for (AllowedAddressPair pair : port.getAllowedAddressPairs()) {
        pairs.add(new AddressPair(pair.getIpAddress(), pair.getMacAddress()));
      }
    }
    return new NetworkPortState(port.getId(), port.getMacAddress(), pairs);
  }

  @Override
  public void replaceAllowedAddressPairs(String portId, List<AddressPair> pairs) {
    String what = "update allowed address pairs of port " + portId;
    URI uri = portUri(portId);
    HttpRequest request =
        HttpRequest.newBuilder(uri)
            .timeout(session.readTimeout())
            .header("X-Auth-Token", session.tokenId())
            .header("Content-Type", "application/json")
            .header("Accept", "application/json")
            .PUT(HttpRequest.BodyPublishers.ofString(body(pairs)))
            .build();
    HttpResponse<String> response;
    try {
      response = session.http().send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw session.ioFailure(what + " (Neutron)", uri, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TransientFailure("INTERRUPTED", what + ": interrupted", e);
    }
    int status = response.statusCode();
    if (status == 200) {
      log.info("port {} now has {} allowed address pair(s)", portId, pairs.size());
      return;
    }
    Map.Entry<String, String> error = neutronError(response.body());
    if (status == 400 && "AllowedAddressPairExhausted".equals(error.getKey())) {
      throw new TerminalFailure(
          "ADDRESS_PAIR_LIMIT",
          "port "
              + portId
              + " cannot take "
              + pairs.size()
              + " allowed address pairs: "
              + error.getValue());
    }
    if (status == 404) {
      throw new TerminalFailure("PORT_NOT_FOUND", "port " + portId + " does not exist");
    }
    if (status == 401) {
      session.invalidate();
      throw new TransientFailure(
          "OPENSTACK_TOKEN_REJECTED", what + ": Neutron refused the token (401)");
    }
    throw Openstack4jFailures.byStatus(what, status, error.getValue(), null);
  }

  private URI portUri(String portId) {
    String base = session.endpoint("network").toString();
    String versioned = base.endsWith("/v2.0") ? base : base + "/v2.0";
    return URI.create(versioned + "/ports/" + portId);
  }

  private String body(List<AddressPair> pairs) {
    ObjectNode root = json.createObjectNode();
    ArrayNode list = root.putObject("port").putArray("allowed_address_pairs");
    for (AddressPair pair : pairs) {
      ObjectNode item = list.addObject().put("ip_address", pair.ipAddress());
      if (pair.macAddress() != null) {
        item.put("mac_address", pair.macAddress());
      }
    }
    return json.writeValueAsString(root);
  }

  /** Neutron's error type and message, from {@code {"NeutronError": {type, message}}}. */
  private Map.Entry<String, String> neutronError(String body) {
    try {
      JsonNode error = json.readTree(body).path("NeutronError");
      if (error.isObject()) {
        return Map.entry(error.path("type").asString(""), error.path("message").asString(""));
      }
    } catch (JacksonException e) {
      log.debug("Neutron error body is not JSON", e);
    }
    String text = body == null ? "" : body.strip();
    return Map.entry("", text.length() > 300 ? text.substring(0, 300) : text);
  }
}
