package io.meshorch.infra.adapter.openstack;

import io.meshorch.infra.domain.AddressPair;
import io.meshorch.infra.domain.NetworkPortState;
import io.meshorch.infra.port.NetworkPort;
import io.meshorch.kit.failure.StepFailure;
import io.meshorch.kit.failure.TerminalFailure;
import io.meshorch.kit.failure.TransientFailure;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.openstack4j.model.network.Network;
import org.openstack4j.model.network.Subnet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Neutron networks and ports. Network and subnet reads go through openstack4j. A port is read and
 * written raw ({@code GET} and {@code PUT /v2.0/ports/{id}}, with openstack4j's token and the
 * catalog's network endpoint): openstack4j's port has no {@code revision_number} and loses the
 * pairs' order, and its update also sends the read-only {@code created_at}, which Neutron rejects
 * with 400. The update carries only {@code allowed_address_pairs} and {@code If-Match:
 * revision_number=<read>}, Neutron's compare-and-swap, so that a concurrent writer's pair is never
 * overwritten unseen.
 */
public final class Openstack4jNetworkAdapter implements NetworkPort {
  /** The service type of the calls, for clouds.yaml's {@code rate_limit}. */
  private static final String SERVICE = "network";

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
            SERVICE,
            "find network " + network,
            os -> os.networking().network().list(Map.of("name", network)));
    Network found =
        byName != null && !byName.isEmpty()
            ? byName.get(0)
            : session.call(
                SERVICE, "read network " + network, os -> os.networking().network().get(network));
    if (found == null) {
      throw new TerminalFailure(
          "NETWORK_NOT_FOUND", "no Neutron network has the name or ID '" + network + "'");
    }
    List<String> cidrs = new ArrayList<>();
    for (String subnetId : found.getSubnets() == null ? List.<String>of() : found.getSubnets()) {
      Subnet subnet =
          session.call(
              SERVICE, "read subnet " + subnetId, os -> os.networking().subnet().get(subnetId));
      if (subnet != null && subnet.getCidr() != null && !subnet.getCidr().contains(":")) {
        cidrs.add(subnet.getCidr());
      }
    }
    return cidrs;
  }

  @Override
  public NetworkPortState port(String portId) {
    // A raw GET as for the update: openstack4j's Port has no revision_number and hands the pairs
    // back as a set, without Neutron's order.
    String what = "read port " + portId;
    HttpResponse<String> response = send(what, request(portUri(portId)).GET().build());
    if (response.statusCode() != 200) {
      throw failure(what, portId, response);
    }
    JsonNode port = json.readTree(response.body()).path("port");
    List<AddressPair> pairs = new ArrayList<>();
    for (JsonNode pair : port.path("allowed_address_pairs")) {
      JsonNode mac = pair.path("mac_address");
      pairs.add(
          new AddressPair(
              pair.path("ip_address").asString(), mac.isString() ? mac.asString() : null));
    }
    return new NetworkPortState(
        port.path("id").asString(portId),
        port.path("mac_address").asString(null),
        pairs,
        port.path("revision_number").asLong(-1));
  }

  @Override
  public void replaceAllowedAddressPairs(NetworkPortState read, List<AddressPair> pairs) {
    String portId = read.id();
    String what = "update allowed address pairs of port " + portId;
    HttpRequest.Builder request =
        request(portUri(portId))
            .header("Content-Type", "application/json")
            .PUT(HttpRequest.BodyPublishers.ofString(body(pairs)));
    if (read.revisionNumber() >= 0) {
      // Neutron's compare-and-swap (revision-if-match): 412 if another writer came in between.
      request.header("If-Match", "revision_number=" + read.revisionNumber());
    }
    HttpResponse<String> response = send(what, request.build());
    int status = response.statusCode();
    if (status == 200) {
      log.info("port {} now has {} allowed address pair(s)", portId, pairs.size());
      return;
    }
    Map.Entry<String, String> error = neutronError(response.body());
    if (status == 412) {
      throw new TransientFailure(
          "PORT_CHANGED_CONCURRENTLY",
          "port "
              + portId
              + " changed since it was read at revision "
              + read.revisionNumber()
              + " ("
              + error.getValue()
              + "); it is read and merged again");
    }
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
    throw failure(what, portId, response);
  }

  private HttpRequest.Builder request(URI uri) {
    return HttpRequest.newBuilder(uri)
        .timeout(session.readTimeout())
        .header("X-Auth-Token", session.tokenId())
        .header("Accept", "application/json");
  }

  private HttpResponse<String> send(String what, HttpRequest request) {
    try {
      return session.send(SERVICE, what, request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw session.ioFailure(what + " (Neutron)", request.uri(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TransientFailure("INTERRUPTED", what + ": interrupted", e);
    }
  }

  /** The failure of an answer other than success, named for the port. */
  private StepFailure failure(String what, String portId, HttpResponse<String> response) {
    int status = response.statusCode();
    if (status == 404) {
      return new TerminalFailure("PORT_NOT_FOUND", "port " + portId + " does not exist");
    }
    if (status == 401) {
      session.invalidate();
      return new TransientFailure(
          "OPENSTACK_TOKEN_REJECTED", what + ": Neutron refused the token (401)");
    }
    return Openstack4jFailures.byStatus(
        what, status, neutronError(response.body()).getValue(), null);
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
    // Not Neutron's: a proxy's or front end's page (HTML for a 429 or a 502), told as one line.
    String text =
        body == null ? "" : body.replaceAll("<[^>]*>", " ").replaceAll("\\s+", " ").strip();
    return Map.entry("", text.length() > 300 ? text.substring(0, 300) : text);
  }
}
