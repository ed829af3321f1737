package io.meshorch.mesh.config;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How the mesh configuration is written into the clusters.
 *
 * @param writeRetry back-off of writes that failed transiently (API unreachable, conflicts)
 */
@Validated
@ConfigurationProperties("mesh.connect")
public record MeshConnectProperties(@DefaultValue @Valid Retry writeRetry) {

  /**
   * A bounded exponential back-off.
   *
   * @param attempts tries in all (default 5)
   * @param initialDelay first pause (default 1 s)
   * @param maxDelay longest pause (default 15 s)
   */
  public record Retry(
      @DefaultValue("5") @Min(1) int attempts,
      @DefaultValue("1s") @NotNull Duration initialDelay,
      @DefaultValue("15s") @NotNull Duration maxDelay) {}
}
