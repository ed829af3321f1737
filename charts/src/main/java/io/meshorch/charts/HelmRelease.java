package io.meshorch.charts;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What {@code helm template} is told about the release it renders.
 *
 * @param name release name ({@code .Release.Name}), e.g. {@code cilium}
 * @param namespace release namespace ({@code .Release.Namespace}), e.g. {@code kube-system}
 * @param kubeVersion Kubernetes version the chart is rendered for ({@code
 *     .Capabilities.KubeVersion}, e.g. {@code 1.32.0}); Helm's own default (1.20) is refused by
 *     current charts such as Cilium's
 */
public record HelmRelease(String name, String namespace, String kubeVersion) {
  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,51}[a-z0-9])?");
  private static final Pattern VERSION = Pattern.compile("v?\\d+\\.\\d+\\.\\d+");

  /** Checks the name and namespace (DNS labels) and the version ({@code 1.32.0}). */
  public HelmRelease {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(kubeVersion, "kubeVersion");
    if (!DNS_LABEL.matcher(name).matches() || !DNS_LABEL.matcher(namespace).matches()) {
      throw new IllegalArgumentException(
          "release name and namespace must be DNS labels, got " + name + " in " + namespace);
    }
    if (!VERSION.matcher(kubeVersion).matches()) {
      throw new IllegalArgumentException(
          "kubeVersion must look like 1.32.0, got '" + kubeVersion + "'");
    }
  }
}
