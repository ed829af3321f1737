package io.meshorch.mesh.config;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How the mesh is validated after connecting.
 *
 * @param timeout how long every cluster's clustermesh-apiserver may take to roll out and then every
 *     cluster to see every remote node, from the moment every configuration is written, before
 *     MeshFailed with code APISERVER_NOT_ROLLED_OUT or REMOTE_NOT_SEEN (default 5 min); rollouts
 *     are watched, the agents read again on the kit's re-check back-off ({@code
 *     mesh.service.recheck.*})
 * @param execTimeout how long one {@code cilium-dbg} exec into an agent may take (default 20 s)
 * @param agentContainer the container of the Cilium agent pods that runs {@code cilium-dbg}
 *     (default {@code cilium-agent}, the chart's name)
 * @param parallelism how many clusters mesh-service calls at the same time, over all meshes
 *     (default 16): the reads of their Cilium CAs before connecting, the writes of their mesh
 *     configuration and the reads of their agents during validation. Each cluster is its own API
 *     server, so this bounds mesh-service's threads, not the load on any cluster; with the default,
 *     the calls of a 16-cluster mesh take about one cluster's time, not sixteen
 */
@Validated
@ConfigurationProperties("mesh.validation")
public record MeshValidationProperties(
    @DefaultValue("5m") @NotNull Duration timeout,
    @DefaultValue("20s") @NotNull Duration execTimeout,
    @DefaultValue("cilium-agent") @NotBlank String agentContainer,
    @DefaultValue("16") @Positive int parallelism) {}
