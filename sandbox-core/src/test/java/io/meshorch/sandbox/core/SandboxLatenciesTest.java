package io.meshorch.sandbox.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SandboxLatenciesTest {
  private static final ClusterRef WEST = new ClusterRef("m1", "west");
  private static final ClusterRef EAST = new ClusterRef("m1", "east");
  private static final ClusterRef OTHER_WEST = new ClusterRef("m2", "west");

  @Test
  void fastIsTheSandboxsTimingBeforeLatenciesExisted() {
    SandboxLatencies fast = SandboxLatencies.fast();

    assertThat(fast.of(SandboxStep.HEAT_STACK)).isEqualTo(Duration.ofMillis(800));
    assertThat(fast.of(SandboxStep.VM_BOOT)).isEqualTo(Duration.ofMillis(300));
    assertThat(fast.of(SandboxStep.RKE_UP, WEST)).isZero();
    assertThat(fast.of(SandboxStep.MESH_CONNECT)).isZero();
    assertThat(SandboxLatencies.parse("")).isEqualTo(fast);
  }

  @Test
  void realisticIsScaledByTheFactor() {
    SandboxLatencies l = SandboxLatencies.parse("realistic,scale=0.01");

    assertThat(l.of(SandboxStep.RKE_UP)).isEqualTo(Duration.ofMillis(4_800));
    assertThat(l.of(SandboxStep.HEAT_STACK)).isEqualTo(Duration.ofMillis(1_500));
    assertThat(l.of(SandboxStep.LB_IP)).isEqualTo(Duration.ofMillis(30));
    assertThat(SandboxLatencies.parse("realistic").of(SandboxStep.CILIUM_ROLLOUT))
        .isEqualTo(Duration.ofSeconds(90));
  }

  @Test
  void overridesAreAbsoluteAndFactorsMultiplyTheScaledProfileValue() {
    SandboxLatencies l =
        SandboxLatencies.parse("realistic,scale=0.02,rke-up@west=60s,lb-ip@east=x10,ssh-ready=0");

    assertThat(l.of(SandboxStep.RKE_UP, WEST)).isEqualTo(Duration.ofSeconds(60));
    assertThat(l.of(SandboxStep.RKE_UP, EAST)).isEqualTo(Duration.ofMillis(9_600));
    assertThat(l.of(SandboxStep.LB_IP, EAST)).isEqualTo(Duration.ofMillis(600));
    assertThat(l.of(SandboxStep.SSH_READY, WEST)).isZero();
  }

  @Test
  void theMostSpecificTargetWins() {
    SandboxLatencies l =
        SandboxLatencies.parse(
            "rke-up=1s,rke-up@west=2s,rke-up@m1/*=3s,rke-up@m1/west=4s,rke-up@m3/*=5s");

    assertThat(l.of(SandboxStep.RKE_UP, WEST)).isEqualTo(Duration.ofSeconds(4));
    assertThat(l.of(SandboxStep.RKE_UP, EAST)).isEqualTo(Duration.ofSeconds(3));
    assertThat(l.of(SandboxStep.RKE_UP, OTHER_WEST)).isEqualTo(Duration.ofSeconds(2));
    assertThat(l.of(SandboxStep.RKE_UP, ClusterRef.named("west"))).isEqualTo(Duration.ofSeconds(2));
    assertThat(l.of(SandboxStep.RKE_UP, new ClusterRef("m2", "north")))
        .isEqualTo(Duration.ofSeconds(1));
    assertThat(l.of(SandboxStep.RKE_UP)).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void aSpecWithoutProfileChangesTheBaseAndOneWithAProfileReplacesIt() {
    SandboxLatencies base = SandboxLatencies.parse("fast,heat-stack=1.5s,vm-boot=500ms");

    SandboxLatencies added = base.with("rke-up@west=30s");
    SandboxLatencies replaced = base.with("realistic,scale=0.02");

    assertThat(added.of(SandboxStep.HEAT_STACK)).isEqualTo(Duration.ofMillis(1_500));
    assertThat(added.of(SandboxStep.RKE_UP, WEST)).isEqualTo(Duration.ofSeconds(30));
    assertThat(replaced.of(SandboxStep.HEAT_STACK)).isEqualTo(Duration.ofSeconds(3));
    assertThat(replaced.of(SandboxStep.VM_BOOT)).isEqualTo(Duration.ofMillis(1_200));
  }

  @Test
  void repeatedSpecsApplyInOrderAndLaterValuesWin() {
    SandboxLatencies l =
        SandboxLatencies.parse(
            List.of("realistic,scale=0.02", "rke-up@west=30s", "rke-up@west=40s,scale=0.01"));

    assertThat(l.of(SandboxStep.RKE_UP, WEST)).isEqualTo(Duration.ofSeconds(40));
    assertThat(l.of(SandboxStep.RKE_UP, EAST)).isEqualTo(Duration.ofMillis(4_800));
  }

  @ParameterizedTest(name = "{0} = {1} ms")
  @CsvSource({
    "0, 0",
    "250ms, 250",
    "1.5s, 1500",
    "2m, 120000",
    "1h, 3600000",
    "PT2M, 120000",
    "0.5S, 500",
  })
  void readsDurationsInEveryDocumentedForm(String text, long millis) {
    assertThat(SandboxLatencies.parse("lb-ip=" + text).of(SandboxStep.LB_IP))
        .isEqualTo(Duration.ofMillis(millis));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "realistic,rke-upp@west=30s|'rke-upp@west=30s': unknown step 'rke-upp'",
        "scale=0|'scale=0': scale must be a positive number",
        "scale=fast|'scale=fast': scale 'fast' is not a number",
        "lb-ip=3 seconds|'lb-ip=3 seconds': '3 seconds' is not a duration",
        "lb-ip=-1s|'lb-ip=-1s': '-1s' is not a duration",
        "lb-ip=PT-1S|'lb-ip=PT-1S': negative duration",
        "rke-up@=1s|'rke-up@=1s': empty target",
        "rke-up@*=1s|'rke-up@*=1s': '*' needs a mesh",
        "rke-up@m1/=1s|'rke-up@m1/=1s': target 'm1/' is not",
        "realistic,fast|'fast': a second profile in one spec",
        "slow|'slow': not a profile, a scale or <step>=<value>",
      })
  void namesTheBadTokenInItsError(String spec, String message) {
    assertThatThrownBy(() -> SandboxLatencies.parse(spec))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("sandbox latency token " + message);
  }

  @Test
  void theCompactFormReadsBackIntoEqualLatencies() {
    SandboxLatencies l =
        SandboxLatencies.parse(
            "realistic,scale=0.02,rke-up@m1/west=1.25s,lb-ip@m1/*=x10,vm-boot=0");

    assertThat(l.toSpec())
        .isEqualTo("realistic,scale=0.02,rke-up@m1/west=1.25s,lb-ip@m1/*=x10,vm-boot=0");
    assertThat(SandboxLatencies.parse(l.toSpec())).isEqualTo(l);
    assertThat(l.describe()).contains("realistic x0.02", "rke-up=9.6s", "rke-up@m1/west=1.25s");
  }

  @Test
  void programmaticOverridesTargetLikeTheCompactForm() {
    SandboxLatencies l =
        SandboxLatencies.fast()
            .with(SandboxStep.RKE_UP, Duration.ofSeconds(1))
            .with(SandboxStep.RKE_UP, "m1/west", Duration.ofSeconds(2));

    assertThat(l).isEqualTo(SandboxLatencies.parse("rke-up=1s,rke-up@m1/west=2s"));
    assertThatThrownBy(() -> l.with(SandboxStep.LB_IP, Duration.ofSeconds(-1)))
        .hasMessageContaining("negative");
  }
}
