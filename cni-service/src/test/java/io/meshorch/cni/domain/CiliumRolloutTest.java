package io.meshorch.cni.domain;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CiliumRolloutTest {

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "3 | 3 | 1 | 1 | true  | ''",
        "1 | 1 | 2 | 1 | true  | ''",
        "0 | 0 | 1 | 1 | false | DaemonSet cilium has no agent scheduled",
        "3 | 2 | 1 | 1 | false | DaemonSet cilium has 2/3 agents ready",
        "3 | 3 | 0 | 1 | false | Deployment cilium-operator has no available replica",
        "3 | 3 | 1 | 0 | false | Deployment clustermesh-apiserver has no available replica",
        "2 | 1 | 0 | 0 | false | 1/2 agents ready; Deployment cilium-operator has no available"
            + " replica; Deployment clustermesh-apiserver has no available replica",
      })
  void isReadyOnlyWithEveryAgentAndBothDeploymentsAvailable(
      int desired, int ready, int operator, int apiserver, boolean expected, String missing) {
    CiliumRollout rollout = new CiliumRollout(desired, ready, operator, apiserver);

    assertThat(rollout.ready()).isEqualTo(expected);
    if (missing.isEmpty()) {
      assertThat(rollout.missing()).isEmpty();
    } else {
      assertThat(rollout.missing()).contains(missing);
    }
  }
}
