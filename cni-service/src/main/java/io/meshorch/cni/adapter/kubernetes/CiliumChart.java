package io.meshorch.cni.adapter.kubernetes;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.meshorch.charts.ChartArchive;
import io.meshorch.charts.ChartRenderException;
import io.meshorch.charts.HelmChartRenderer;
import io.meshorch.charts.HelmRelease;
import io.meshorch.cni.domain.CiliumInstall;
import io.meshorch.cni.domain.CiliumValues;
import io.meshorch.cni.domain.IssuedCertificate;
import io.meshorch.kit.failure.TerminalFailure;
import io.meshorch.kube.KubeApply;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Cilium objects of one cluster: the official chart (a verified {@link ChartArchive}) rendered
 * offline by Helm's engine with the cluster's values, in the order they are applied, each marked as
 * part of Helm release {@value CiliumValues#RELEASE} in {@value CiliumValues#NAMESPACE}.
 *
 * <p>One object is not rendered by the chart: Secret {@value CiliumValues#LOCAL_CERT_SECRET}. The
 * agents and the operator mount it to reach their own clustermesh-apiserver (KVStoreMesh), but the
 * Cilium 1.18 chart renders it only when Helm, a CronJob or cert-manager generates the certificates
 * ({@code clustermesh-apiserver/tls-helm/local-secret.yaml}); with provided certificates (needed so
 * that a re-render does not issue new ones) it has no template for it. It is built here in exactly
 * the shape of the chart's {@code tls-helm} template ({@code kubernetes.io/tls}, {@code ca.crt},
 * {@code tls.crt}, {@code tls.key}).
 */
public final class CiliumChart {
  /**
   * Apply order by kind: what others refer to first (namespaces, service accounts, RBAC, config,
   * secrets), then Services, then the workloads that need all of them; other kinds last.
   */
  private static final List<String> ORDER =
      List.of(
          "Namespace",
          "ServiceAccount",
          "ClusterRole",
          "ClusterRoleBinding",
          "Role",
          "RoleBinding",
          "ConfigMap",
          "Secret",
          "Service",
          "DaemonSet",
          "Deployment");

  private static final Pattern IMAGE_VERSION = Pattern.compile(":v(\\d+\\.\\d+\\.\\d+)(@.*)?$");

  private final HelmChartRenderer renderer;
  private final ChartArchive archive;
  private final HelmRelease release;

  /**
   * @param renderer Helm's engine
   * @param archive the verified chart archive
   * @param kubeVersion the Kubernetes version the chart is rendered for (e.g. {@code 1.32.0})
   */
  public CiliumChart(HelmChartRenderer renderer, ChartArchive archive, String kubeVersion) {
    this.renderer = renderer;
    this.archive = archive;
    this.release = new HelmRelease(CiliumValues.RELEASE, CiliumValues.NAMESPACE, kubeVersion);
  }

  /** Renders {@code archive} with a renderer of its own (fabric8's serialization). */
  public static CiliumChart of(ChartArchive archive, String kubeVersion) {
    return new CiliumChart(
        new HelmChartRenderer(new KubernetesSerialization()), archive, kubeVersion);
  }

  /** The archive rendered, e.g. {@code cilium-1.18.12.tgz}. */
  public String archiveName() {
    return archive.name();
  }

  /**
   * Every object of {@code install}, in apply order, marked as part of the Helm release. The same
   * install always gives equal objects.
   *
   * @throws TerminalFailure {@code CILIUM_CHART_REFUSED} when Helm refuses the values
   */
  public List<HasMetadata> objects(CiliumInstall install) {
    List<HasMetadata> objects;
    try {
      objects = new ArrayList<>(renderer.render(archive, release, install.helmValues()));
    } catch (ChartRenderException e) {
      throw new TerminalFailure("CILIUM_CHART_REFUSED", e.getMessage(), e);
    }
    objects.add(localCertSecret(install.ca().certificatePem(), install.certs().local()));
    objects.sort(Comparator.comparingInt(CiliumChart::rank));
    objects.forEach(o -> KubeApply.asHelmRelease(o, CiliumValues.RELEASE, CiliumValues.NAMESPACE));
    return objects;
  }

  /** The Cilium version of the agent image among {@code objects}, without {@code v}. */
  public static String version(List<HasMetadata> objects) {
    return objects.stream()
        .filter(DaemonSet.class::isInstance)
        .map(DaemonSet.class::cast)
        .filter(ds -> CiliumValues.AGENT.equals(ds.getMetadata().getName()))
        .flatMap(ds -> ds.getSpec().getTemplate().getSpec().getContainers().stream())
        .map(Container::getImage)
        .map(IMAGE_VERSION::matcher)
        .filter(Matcher::find)
        .map(m -> m.group(1))
        .findFirst()
        .orElseThrow(
            () ->
                new TerminalFailure(
                    "CILIUM_CHART_REFUSED",
                    "the chart renders no DaemonSet "
                        + CiliumValues.AGENT
                        + " with a v<version> image"));
  }

  private static int rank(HasMetadata object) {
    int at = ORDER.indexOf(object.getKind());
    return at < 0 ? ORDER.size() : at;
  }

  private static Secret localCertSecret(String caPem, IssuedCertificate local) {
    Map<String, String> data = new LinkedHashMap<>();
    data.put("ca.crt", b64(caPem));
    data.put("tls.crt", b64(local.certificatePem()));
    data.put("tls.key", b64(local.privateKeyPem()));
    return new SecretBuilder()
        .withNewMetadata()
        .withName(CiliumValues.LOCAL_CERT_SECRET)
        .withNamespace(CiliumValues.NAMESPACE)
        .endMetadata()
        .withType("kubernetes.io/tls")
        .withData(data)
        .build();
  }

  private static String b64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }
}
