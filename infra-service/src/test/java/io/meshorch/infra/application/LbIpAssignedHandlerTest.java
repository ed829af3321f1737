package io.meshorch.infra.application;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshorch.contracts.ClusterSpec;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.LbIpAssigned;
import io.meshorch.contracts.NodeInfo;
import io.meshorch.contracts.PortsUpdated;
import io.meshorch.infra.domain.AddressPair;
import io.meshorch.kit.failure.StepFailure;
import io.meshorch.kit.retry.Backoff;
import io.meshorch.kit.retry.Retrier;
import io.meshorch.testkit.Samples;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LbIpAssignedHandlerTest {
  private static final String IP = "192.168.51.10";
  private final FakeCloud cloud = new FakeCloud();
  private final RecordingPublisher publisher = new RecordingPublisher();
  private final LbIpAssignedHandler handler =
      new LbIpAssignedHandler(
          cloud,
          publisher,
          new Retrier(new Backoff(3, Duration.ofMillis(1), Duration.ofMillis(1), 1.0)),
          10,
          "infra-service");
  private final ClusterSpec spec = Samples.cluster("east", 1, 2);
  private final List<NodeInfo> nodes = Samples.nodes("m1", spec);

  @BeforeEach
  void ports() {
    cloud.ports.put(
        "port-east-0", List.of(new AddressPair("10.195.197.192/28", "fa:16:3e:00:00:01")));
    cloud.ports.put("port-east-1", List.of());
  }

  private EventEnvelope lbIpAssigned() {
    return EventEnvelope.create(
        "m1",
        "east",
        null,
        "lb-service",
        new LbIpAssigned(spec, nodes, "meshes/m1/clusters/east/kubeconfig", IP, 2379));
  }

  @Test
  void allowsTheMeshEndpointOnEveryPortKeepingExistingPairs() {
    EventEnvelope event = lbIpAssigned();

    handler.handle(event);

    assertThat(cloud.ports.get("port-east-0"))
        .containsExactly(
            new AddressPair("10.195.197.192/28", "fa:16:3e:00:00:01"), AddressPair.of(IP));
    assertThat(cloud.ports.get("port-east-1")).containsExactly(AddressPair.of(IP));
    EventEnvelope out = publisher.events.get(0);
    assertThat(out.cluster()).isEqualTo("east");
    assertThat(out.causationId()).isEqualTo(event.eventId());
    assertThat(out.payload())
        .isEqualTo(
            new PortsUpdated(
                spec,
                nodes,
                "meshes/m1/clusters/east/kubeconfig",
                IP,
                2379,
                List.of("port-east-0", "port-east-1")));
  }

  @Test
  void writesEachPortOnceWhenTheEventIsDeliveredTwice() {
    EventEnvelope event = lbIpAssigned();

    handler.handle(event);
    handler.handle(event);

    assertThat(cloud.pairWrites.get()).isEqualTo(2);
    assertThat(cloud.ports.get("port-east-1")).containsExactly(AddressPair.of(IP));
    assertThat(publisher.of(PortsUpdated.class))
        .extracting(EventEnvelope::payload)
        .containsOnly(publisher.events.get(0).payload());
  }

  @Test
  void failsTerminallyNamingThePortWhenItsPairsAreFull() {
    List<AddressPair> full = new ArrayList<>();
    for (int i = 1; i <= 10; i++) {
      full.add(AddressPair.of("10.9.0." + i));
    }
    cloud.ports.put("port-east-1", full);

    assertThatThrownBy(() -> handler.handle(lbIpAssigned()))
        .isInstanceOfSatisfying(
            StepFailure.class,
            f -> {
              assertThat(f.code()).isEqualTo("ADDRESS_PAIR_LIMIT");
              assertThat(f.retryable()).isFalse();
              assertThat(f.getMessage()).contains("port-east-1", "mesh-m1-east-node-1", IP, "10");
            });
    assertThat(publisher.events).isEmpty();
    assertThat(cloud.ports.get("port-east-1")).hasSize(10);
  }
}
