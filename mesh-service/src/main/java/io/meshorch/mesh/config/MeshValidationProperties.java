package io.meshorch.mesh.config;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How the mesh is validated after connecting.
 *
 * @param pollInterval pause between two rounds of agent reports (default 1 s)
 * @param timeout how long every cluster may take to see every remote node before MeshFailed with
 *     code REMOTE_NOT_SEEN (default 5 min)
 * @param execTimeout how long one {@code cilium-dbg} exec into an agent may take (default 20 s)
 * @param agentContainer the container of the Cilium agent pods that runs {@code cilium-dbg}
 *     (default {@code cilium-agent}, the chart's name)
 */
@Validated
@ConfigurationProperties("mesh.validation")
public record MeshValidationProperties(
    @DefaultValue("1s") @NotNull Duration pollInterval,
    @DefaultValue("5m") @NotNull Duration timeout,
    @DefaultValue("20s") @NotNull Duration execTimeout,
    @DefaultValue("cilium-agent") @NotBlank String agentContainer) {}
