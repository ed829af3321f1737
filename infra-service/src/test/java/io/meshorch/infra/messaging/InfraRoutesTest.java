package io.meshorch.infra.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshorch.contracts.ClusterFailed;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.MeshRejected;
import io.meshorch.contracts.MeshRequested;
import io.meshorch.contracts.Topics;
import io.meshorch.contracts.Violation;
import io.meshorch.kit.step.StepRoute;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class InfraRoutesTest {
  private final InfraRoutes routes = new InfraRoutes();
  private final EventEnvelope request =
      EventEnvelope.create("m1", null, null, "meshctl", new MeshRequested(List.of()));

  @Test
  void answersAnUnreadableRequestWithARejectionNamingTheRecord() {
    assertThat(routes.unreadableRequestAnswer().answer(Topics.REQUESTS, "m1", "not JSON: x"))
        .contains(new MeshRejected(List.of(new Violation("record", "not JSON: x"))));
  }

  @Test
  void answersNobodyForAnUnreadableRecordOfAnotherTopic() {
    assertThat(routes.unreadableRequestAnswer().answer(Topics.LB, "m1", "not JSON: x"))
        .isEqualTo(Optional.empty());
  }

  @Test
  void rejectsARequestThatCouldNotBeProcessedAndFailsOnlyTheClusterOfAStepThatGaveUp() {
    StepRoute route = routes.meshRequestedRoute(null);

    assertThat(route.failure(request, null, "RECORD_UNPROCESSABLE", "too large", false))
        .isEqualTo(new MeshRejected(List.of(new Violation("record", "too large"))));
    assertThat(route.failure(request, "east", "HEAT_STACK_TIMEOUT", "slow", true))
        .isEqualTo(new ClusterFailed("vms", "HEAT_STACK_TIMEOUT", "slow", true));
  }

  @Test
  void failsTheClusterWhenItsPortsStepGaveUp() {
    StepRoute route = routes.lbIpAssignedRoute(null);

    assertThat(route.failure(request, "east", "ADDRESS_PAIR_LIMIT", "full", false))
        .isEqualTo(new ClusterFailed("ports", "ADDRESS_PAIR_LIMIT", "full", false));
  }
}
