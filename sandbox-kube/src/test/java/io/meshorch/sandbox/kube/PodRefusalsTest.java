package io.meshorch.sandbox.kube;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PodRefusalsTest {
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "quay.io/cilium/cilium:v1.18.12|",
        "quay.io/cilium/cilium:v1.18.12@sha256:94149589d9b77fe3a78f900121b36fab51b1ede0c4190924e2328facc37de210|",
        "quay.io/metallb/speaker:v0.15.3|",
        "registry.local:5000/cilium/cilium:v1.18.12|",
        "quay.io/cilium/cilium@sha256:94149589d9b77fe3a78f900121b36fab51b1ede0c4190924e2328facc37de210|",
        "quay.io/cilium/cilium|image \"quay.io/cilium/cilium\": An image tag is required.",
        "registry.local:5000/cilium/cilium|image \"registry.local:5000/cilium/cilium\": An image tag is required.",
        "quay.io/cilium/cilium:latest|image \"quay.io/cilium/cilium:latest\": Using a mutable image tag e.g. 'latest' is not allowed."
      })
  void anImageMustCarryAPinnedTagOrADigest(String image, String refusal) {
    assertThat(PodRefusals.unpinned(image).orElse(null)).isEqualTo(refusal);
  }
}
