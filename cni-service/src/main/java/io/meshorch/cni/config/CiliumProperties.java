package io.meshorch.cni.config;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Cilium, its chart and the mesh CA.
 *
 * @param chart the Cilium chart archive: a file name kept in the repository ({@code
 *     cilium-1.18.12.tgz}, the default) or the path of a {@code .tgz} on disk
 * @param chartSha256 SHA-256 of that archive (64 hex digits); required for a path, optional for a
 *     kept archive (whose digest is kept next to it; if given, both must agree)
 * @param kubeVersion Kubernetes version the chart is rendered for (default 1.32.0, RKE 1.8's)
 * @param k8sServiceHost where agents and operator reach the API server (default {@code 127.0.0.1}:
 *     on RKE1 and RKE2 every node serves it there, see the README)
 * @param k8sServicePort its port (default 6443)
 * @param readyTimeout how long to wait for the agents on every node, the operator and the
 *     clustermesh-apiserver (default 5 min); re-checks follow {@code mesh.service.recheck.*}, and a
 *     watch makes the step look at once when the workloads change
 * @param caValidity validity of a newly generated mesh CA (default 1095 days, three years)
 * @param certValidity validity of the clustermesh-apiserver certificates issued from it (default
 *     1095 days, as the chart's own generator; never past the CA's end)
 */
@Validated
@ConfigurationProperties("mesh.cilium")
public record CiliumProperties(
    @DefaultValue("cilium-1.18.12.tgz") @NotBlank String chart,
    @DefaultValue("") @Pattern(regexp = "|[0-9a-fA-F]{64}") String chartSha256,
    @DefaultValue("1.32.0") @NotBlank @Pattern(regexp = "v?\\d+\\.\\d+\\.\\d+") String kubeVersion,
    @DefaultValue("127.0.0.1") @NotBlank String k8sServiceHost,
    @DefaultValue("6443") @Min(1) @Max(65535) int k8sServicePort,
    @DefaultValue("5m") @NotNull Duration readyTimeout,
    @DefaultValue("1095d") @NotNull Duration caValidity,
    @DefaultValue("1095d") @NotNull Duration certValidity) {}
