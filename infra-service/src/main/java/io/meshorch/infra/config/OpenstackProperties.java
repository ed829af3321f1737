package io.meshorch.infra.config;

import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How infra-service reaches OpenStack. Credentials are never set here: they come from a clouds.yaml
 * file or the {@code OS_*} environment variables. A call that fails transiently is not retried on
 * the spot: its step fails transiently and the kit calls it again ({@code
 * mesh.service.step-retry.*}).
 *
 * @param cloudsFile path of a clouds.yaml (default {@code $OS_CLIENT_CONFIG_FILE}); when unset or
 *     empty, the {@code OS_*} variables are used
 * @param secureFile path of a secure.yaml merged over the clouds.yaml (default {@code
 *     $OS_CLIENT_SECURE_FILE}); when unset, the OpenStack client's search path is used
 * @param cloud the entry under {@code clouds:} to use (default {@code openstack})
 * @param connectTimeout TCP connect timeout of every OpenStack call (default 10 s)
 * @param readTimeout read timeout of every OpenStack call (default 30 s)
 * @param tokenRefreshMargin re-authenticate when the token expires within this (default 5 min)
 * @param consoleLines last console lines read when looking for host keys; 0 reads the whole console
 *     (default 0)
 * @param maxAllowedAddressPairs the cloud's {@code max_allowed_address_pair} (default 10)
 * @param rateLimit requests per second infra-service sends the cloud at most, all calls together; 0
 *     sets no steady limit (default 0, as OpenStack's own clients). Set it to what the cloud allows
 *     a project. Either way a 429, or a 503 with {@code Retry-After}, holds every call back for the
 *     {@code Retry-After} the cloud gave (1 s for a 429 without it)
 * @param rateLimitBurst how many requests may go at once after a quiet time (default 10)
 */
@Validated
@ConfigurationProperties("mesh.openstack")
public record OpenstackProperties(
    String cloudsFile,
    String secureFile,
    @DefaultValue("openstack") @NotBlank String cloud,
    @DefaultValue("10s") @NotNull Duration connectTimeout,
    @DefaultValue("30s") @NotNull Duration readTimeout,
    @DefaultValue("5m") @NotNull Duration tokenRefreshMargin,
    @DefaultValue("0") @Min(0) int consoleLines,
    @DefaultValue("10") @Min(1) int maxAllowedAddressPairs,
    @DefaultValue("0") @DecimalMin("0") double rateLimit,
    @DefaultValue("10") @Min(1) int rateLimitBurst) {}
