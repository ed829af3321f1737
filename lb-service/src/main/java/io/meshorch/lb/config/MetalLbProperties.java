package io.meshorch.lb.config;

import io.meshorch.lb.adapter.kubernetes.MetalLbManifest;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * MetalLB and the mesh endpoint. The waits re-check on the kit's schedule ({@code
 * mesh.service.recheck.*}) and at once when a watch sees a change.
 *
 * @param manifests where MetalLB's manifests are read: a Spring resource location, {@code
 *     classpath:…} or {@code file:…} (default: MetalLB v0.15.3's {@code metallb-native.yaml}, kept
 *     in lb-service's resources)
 * @param manifestsSha256 the SHA-256 the manifests must have (hex); lb-service does not start when
 *     they differ (default: the bundled file's)
 * @param pinFirstAddress pin the mesh endpoint to the pool's first address through annotation
 *     {@code metallb.io/loadBalancerIPs} (default false: MetalLB chooses)
 * @param controllerTimeout how long to wait for the MetalLB controller to be available before the
 *     pool is written (default 3 min)
 * @param webhookTimeout how long to keep writing the pool while the API server cannot call
 *     MetalLB's webhook yet ("failed calling webhook"), once the controller is available (default 1
 *     min)
 * @param endpointTimeout how long to wait for Cilium's Service {@code
 *     kube-system/clustermesh-apiserver} (installed by cni-service from the Cilium chart) to exist
 *     with type LoadBalancer, before the step fails terminally (default 1 min); lb-service never
 *     creates it
 * @param ipTimeout how long to wait for the Service's LoadBalancer IP (default 2 min)
 */
@Validated
@ConfigurationProperties("mesh.metallb")
public record MetalLbProperties(
    @DefaultValue(MetalLbManifest.BUNDLED) @NotBlank String manifests,
    @DefaultValue(MetalLbManifest.BUNDLED_SHA256) @NotBlank @Pattern(regexp = "[0-9a-fA-F]{64}")
        String manifestsSha256,
    @DefaultValue("false") boolean pinFirstAddress,
    @DefaultValue("3m") @NotNull Duration controllerTimeout,
    @DefaultValue("1m") @NotNull Duration webhookTimeout,
    @DefaultValue("1m") @NotNull Duration endpointTimeout,
    @DefaultValue("2m") @NotNull Duration ipTimeout) {}
