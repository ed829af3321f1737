package io.meshorch.cni.config;

import io.meshorch.cni.adapter.kubernetes.ApplyMode;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Calls to the clusters' Kubernetes APIs.
 *
 * @param connectTimeout TCP/TLS connect timeout (default 10 s)
 * @param requestTimeout timeout of one API request (default 30 s)
 * @param apply how objects are written: {@code update} (create, else full update; works with any
 *     API server including the sandbox's) or {@code server-side} (server-side apply, real
 *     clusters); default {@code update}
 */
@Validated
@ConfigurationProperties("mesh.kube")
public record KubeProperties(
    @DefaultValue("10s") @NotNull Duration connectTimeout,
    @DefaultValue("30s") @NotNull Duration requestTimeout,
    @DefaultValue("update") @NotNull ApplyMode apply) {}
