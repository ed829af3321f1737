package io.meshorch.cni.config;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Cilium and the mesh CA.
 *
 * @param version Cilium version to install, without {@code v} (default 1.18.2)
 * @param readyTimeout how long to wait for the agents on every node, the operator and the
 *     clustermesh-apiserver (default 5 min); re-checks follow {@code mesh.service.recheck.*}, and a
 *     watch makes the step look at once when the workloads change
 * @param caValidity validity of a newly generated mesh CA (default 1095 days, three years)
 */
@Validated
@ConfigurationProperties("mesh.cilium")
public record CiliumProperties(
    @DefaultValue("1.18.2") @NotBlank @Pattern(regexp = "\\d+\\.\\d+\\.\\d+") String version,
    @DefaultValue("5m") @NotNull Duration readyTimeout,
    @DefaultValue("1095d") @NotNull Duration caValidity) {}
