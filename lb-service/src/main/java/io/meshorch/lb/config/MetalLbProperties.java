package io.meshorch.lb.config;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * MetalLB and the mesh endpoint.
 *
 * @param version MetalLB version to install, without {@code v} (default 0.14.9)
 * @param pinFirstAddress pin the mesh endpoint to the pool's first address through annotation
 *     {@code metallb.io/loadBalancerIPs} (default false: MetalLB chooses)
 * @param controllerTimeout how long to wait for the MetalLB controller to be available before the
 *     pool is applied (default 3 min)
 * @param ipTimeout how long to wait for the Service's LoadBalancer IP (default 2 min)
 * @param pollInterval pause between readiness checks (default 2 s)
 * @param webhookRetry back-off of pool writes refused while MetalLB's webhook starts
 */
@Validated
@ConfigurationProperties("mesh.metallb")
public record MetalLbProperties(
    @DefaultValue("0.14.9") @NotBlank @Pattern(regexp = "\\d+\\.\\d+\\.\\d+") String version,
    @DefaultValue("false") boolean pinFirstAddress,
    @DefaultValue("3m") @NotNull Duration controllerTimeout,
    @DefaultValue("2m") @NotNull Duration ipTimeout,
    @DefaultValue("2s") @NotNull Duration pollInterval,
    @DefaultValue @Valid Retry webhookRetry) {

  /**
   * A bounded exponential back-off.
   *
   * @param attempts tries in all (default 6)
   * @param initialDelay first pause (default 1 s)
   * @param maxDelay longest pause (default 15 s)
   */
  public record Retry(
      @DefaultValue("6") @Min(1) int attempts,
      @DefaultValue("1s") @NotNull Duration initialDelay,
      @DefaultValue("15s") @NotNull Duration maxDelay) {}
}
