package io.meshorch.mesh.config;

import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Deleting a mesh.
 *
 * @param timeout how long the clusters of a mesh may take to be deleted (every cluster's Heat
 *     stack, then its RKE state and secrets) before the deletion fails with {@code
 *     MESH_DELETE_TIMEOUT} (default 1 h: a Heat delete is usually minutes, and infra-service
 *     reports a stuck one itself)
 */
@Validated
@ConfigurationProperties("mesh.delete")
public record MeshDeleteProperties(@DefaultValue("1h") @NotNull Duration timeout) {}
