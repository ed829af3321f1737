package io.meshorch.meshctl.cli;

import io.meshorch.meshctl.local.LocalStack;
import io.meshorch.sandbox.core.SandboxLatencies;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code --sandbox-latency}: how long the sandbox cloud's steps take. */
public final class SandboxLatencyOption {
  @Option(
      names = "--sandbox-latency",
      paramLabel = "SPEC",
      description = {
        "How long the sandbox cloud's steps take (default: fast, a second or"
            + " two each). Comma-separated tokens, or the option repeated: a profile, 'fast' or"
            + " 'realistic' (a real cloud: stack 2.5 min, VM boot 1 min, cloud-init 2 min, rke up"
            + " 8 min, Cilium rollout 1.5 min, MetalLB 40 s, LB IP 3 s, mesh connect 30 s);"
            + " 'scale=<factor>' for the profile (0.02 = 50 times faster);"
            + " '<step>[@<cluster>|@<meshId>/<cluster>|@<meshId>/*]=<duration>' (0, 250ms, 1.5s,"
            + " 2m) or '=x<factor>' of the profile value. Steps: heat-stack, vm-boot, ssh-ready,"
            + " rke-up, rke-up-again, cilium-rollout, metallb-rollout, rollout, lb-ip,"
            + " mesh-connect.",
        "Examples: --sandbox-latency realistic,scale=0.02 --sandbox-latency rke-up@west=30s"
      })
  List<String> specs = new ArrayList<>();

  @Spec(Spec.Target.MIXEE)
  CommandSpec spec;

  /** True when the option was given. */
  public boolean given() {
    return !specs.isEmpty();
  }

  /**
   * The latencies asked for, on top of local mode's defaults.
   *
   * @throws ParameterException naming the first bad token
   */
  public SandboxLatencies latencies() {
    try {
      return LocalStack.latencies(specs);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--sandbox-latency: " + e.getMessage());
    }
  }
}
