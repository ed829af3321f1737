package io.meshorch.meshctl.follow;

import io.meshorch.contracts.CiliumReady;
import io.meshorch.contracts.ClusterFailed;
import io.meshorch.contracts.ClusterUp;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.LbIpAssigned;
import io.meshorch.contracts.MeshEvent;
import io.meshorch.contracts.MeshFailed;
import io.meshorch.contracts.MeshReady;
import io.meshorch.contracts.MeshRejected;
import io.meshorch.contracts.MeshRequested;
import io.meshorch.contracts.NodeInfo;
import io.meshorch.contracts.PortsUpdated;
import io.meshorch.contracts.ProgressReported;
import io.meshorch.contracts.StepStarted;
import io.meshorch.contracts.Violation;
import io.meshorch.contracts.VmsReady;
import io.meshorch.meshctl.spec.MeshChanges;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import tools.jackson.databind.json.JsonMapper;

/** How meshctl shows events and outcomes: one line per event, a final table, or JSON. */
public final class Render {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private Render() {}

  /** One human line for an event, e.g. {@code east kubernetes ClusterUp: API https://…}. */
  public static String line(EventEnvelope event) {
    String who = event.cluster() == null ? "(mesh)" : event.cluster();
    MeshEvent p = event.payload();
    String stage;
    String text;
    if (p instanceof MeshRequested r) {
      stage = "request";
      text = "MeshRequested: " + r.clusters().size() + " clusters";
    } else if (p instanceof MeshRejected r) {
      stage = "validate";
      text = "MeshRejected: " + r.violations().size() + " problems";
    } else if (p instanceof ProgressReported r) {
      stage = r.stage();
      text = r.message();
    } else if (p instanceof StepStarted s) {
      stage = s.stage();
      text = "step started";
    } else if (p instanceof VmsReady v) {
      stage = "vms";
      text =
          "VmsReady: "
              + v.nodes().size()
              + " nodes ("
              + v.nodes().stream().map(NodeInfo::address).collect(Collectors.joining(", "))
              + ")";
    } else if (p instanceof ClusterUp u) {
      stage = "kubernetes";
      text = "ClusterUp: API " + u.apiServerUrl();
    } else if (p instanceof CiliumReady c) {
      stage = "cni";
      text = "CiliumReady: Cilium " + c.ciliumVersion();
    } else if (p instanceof LbIpAssigned l) {
      stage = "loadbalancer";
      text = "LbIpAssigned: mesh endpoint " + l.meshEndpointIp() + ":" + l.meshEndpointPort();
    } else if (p instanceof PortsUpdated u) {
      stage = "ports";
      text = "PortsUpdated: " + u.portIds().size() + " ports allow " + u.meshEndpointIp();
    } else if (p instanceof ClusterFailed f) {
      stage = f.stage();
      text =
          "ClusterFailed [" + f.code() + "]: " + f.reason() + (f.retryable() ? " (retryable)" : "");
    } else if (p instanceof MeshReady r) {
      stage = "mesh";
      text = "MeshReady: " + r.clusters().size() + " clusters see each other";
    } else if (p instanceof MeshFailed f) {
      stage = f.stage();
      text =
          "MeshFailed ["
              + f.code()
              + "]: "
              + f.reason()
              + (Boolean.TRUE.equals(f.retryable()) ? " (retryable)" : "");
    } else {
      stage = "?";
      text = event.type();
    }
    return String.format("  %-10s %-13s %s", who, stage, text);
  }

  /** The closing words of a run: the node table, the failure, or every violation. */
  public static String summary(MeshRun run) {
    StringBuilder out = new StringBuilder();
    String took =
        run.requestedAt() == null || run.endedAt() == null
            ? ""
            : " after " + seconds(Duration.between(run.requestedAt(), run.endedAt()));
    out.append("mesh ").append(run.meshId()).append(": ").append(run.outcome()).append(took);
    out.append(System.lineSeparator());
    switch (run.outcome()) {
      case READY -> out.append(table(run.ready()));
      case FAILED -> {
        MeshFailed f = run.failed();
        out.append("  stage:   ").append(f.stage()).append(System.lineSeparator());
        if (f.cluster() != null) {
          out.append("  cluster: ").append(f.cluster()).append(System.lineSeparator());
        }
        out.append("  cause:   [").append(f.code()).append("] ").append(f.reason());
        out.append(System.lineSeparator());
        out.append("  next:    ").append(nextStep(run.retryable()));
        out.append(System.lineSeparator());
      }
      case REJECTED -> {
        for (Violation v : run.rejected().violations()) {
          out.append("  ").append(v.field()).append(": ").append(v.rule());
          out.append(System.lineSeparator());
        }
      }
      case DELETED ->
          out.append("  deleted (meshctl down); up builds it anew").append(System.lineSeparator());
      case IN_PROGRESS -> {
        run.clusters()
            .forEach(
                (name, c) ->
                    out.append(
                        String.format(
                            "  %-10s reached %-13s %s%n", name, c.stage(), c.lastMessage())));
      }
    }
    return out.toString();
  }

  /** The node table of a ready mesh: clusters, node counts, LB IPs, remote nodes seen. */
  public static String table(MeshReady ready) {
    String header =
        String.format(
            "%-10s %-4s %-6s %-17s %s%n", "CLUSTER", "ID", "NODES", "MESH ENDPOINT", "SEES");
    StringBuilder out = new StringBuilder(header);
    for (MeshReady.MeshClusterView c : ready.clusters()) {
      List<String> sees =
          c.remoteNodes().stream()
              .map(r -> r.cluster() + ": " + String.join(", ", r.nodes()))
              .toList();
      out.append(
          String.format(
              "%-10s %-4d %-6d %-17s %s%n",
              c.name(),
              c.id(),
              c.nodes().size(),
              c.meshEndpointIp(),
              sees.isEmpty() ? "-" : sees.get(0)));
      for (String more : sees.subList(Math.min(1, sees.size()), sees.size())) {
        out.append(String.format("%-10s %-4s %-6s %-17s %s%n", "", "", "", "", more));
      }
    }
    return out.toString();
  }

  /** The run as one JSON document (for scripts): status plus the table, failure or problems. */
  public static String json(MeshRun run) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("meshId", run.meshId());
    doc.put("status", run.outcome().name());
    switch (run.outcome()) {
      case READY -> {
        List<Map<String, Object>> clusters = new ArrayList<>();
        for (MeshReady.MeshClusterView view : run.ready().clusters()) {
          Map<String, Object> one = new LinkedHashMap<>();
          one.put("name", view.name());
          one.put("id", view.id());
          one.put("nodes", view.nodes());
          one.put("meshEndpointIp", view.meshEndpointIp());
          one.put("remoteNodes", view.remoteNodes());
          kubernetes(one, run.clusters().get(view.name()));
          clusters.add(one);
        }
        doc.put("clusters", clusters);
      }
      case FAILED -> {
        MeshFailed f = run.failed();
        Map<String, Object> failure = new LinkedHashMap<>();
        failure.put("stage", f.stage());
        failure.put("cluster", f.cluster());
        failure.put("code", f.code());
        failure.put("reason", f.reason());
        failure.put("retryable", run.retryable());
        doc.put("failure", failure);
      }
      case REJECTED -> doc.put("violations", run.rejected().violations());
      case DELETED -> doc.put("clusters", Map.of());
      case IN_PROGRESS -> {
        Map<String, Object> clusters = new LinkedHashMap<>();
        run.clusters()
            .forEach(
                (name, c) -> {
                  Map<String, Object> one = new LinkedHashMap<>();
                  one.put("stage", c.stage());
                  one.put("nodes", c.nodes());
                  one.put("meshEndpoint", c.meshEndpoint());
                  one.put("lastMessage", c.lastMessage());
                  kubernetes(one, c);
                  clusters.put(name, one);
                });
        doc.put("clusters", clusters);
      }
    }
    return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(doc);
  }

  /** A cluster's {@code distribution} and {@code version} (null: the deployer's default). */
  private static void kubernetes(Map<String, Object> out, MeshRun.ClusterState state) {
    out.put("distribution", state == null ? "rke1" : state.distribution());
    out.put("version", state == null ? null : state.version());
  }

  /**
   * Changes a running mesh cannot follow, as JSON in the shape of a rejected run ({@code meshId},
   * {@code status: REJECTED}, {@code violations} with {@code field} and {@code rule}), each
   * violation also naming its {@code cluster} and the values it {@code was} and is {@code now}.
   */
  public static String changesJson(String meshId, List<MeshChanges.Change> changes) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("meshId", meshId);
    doc.put("status", MeshRun.Outcome.REJECTED.name());
    doc.put("violations", changes.stream().map(MeshChanges.Change::toJson).toList());
    return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(doc);
  }

  /** Problems of a mesh file or a dry run, one per line. */
  public static String violations(List<Violation> violations) {
    return violations.stream()
        .map(v -> "  " + v.field() + ": " + v.rule())
        .collect(Collectors.joining(System.lineSeparator()));
  }

  /** What the user can do about a failure, by whether running {@code up} again may succeed. */
  static String nextStep(Boolean retryable) {
    if (retryable == null) {
      return "the services did not say whether this may pass; read the cause before running"
          + " `meshctl up` again";
    }
    return retryable
        ? "the cause may pass on its own (a timeout or an outage): running `meshctl up` again with"
            + " the same file may succeed"
        : "fix the cause above first (the request, quota, credentials or cloud policy); running"
            + " `meshctl up` again unchanged will fail the same way";
  }

  private static String seconds(Duration d) {
    return String.format("%.1f s", d.toMillis() / 1000.0);
  }
}
