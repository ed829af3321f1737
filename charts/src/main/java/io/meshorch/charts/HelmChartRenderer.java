package io.meshorch.charts;

import com.marcnuri.helm.Helm;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renders a verified {@link ChartArchive} offline with Helm's own engine (helm-java: Helm 3 as a
 * native library, {@code helm template}), and returns the objects as fabric8 {@link HasMetadata}:
 * values in, objects out, nothing sent to any cluster.
 *
 * <p>The values are written as JSON (a YAML subset) by the serializer, never by concatenating text,
 * into a temporary values file next to a temporary copy of the archive; both are deleted after the
 * render. The objects come back in Helm's order (its install order by kind, then template file).
 * Rendering is deterministic as far as the chart is: the same archive and values give the same
 * objects, unless the chart generates keys or certificates itself (callers provide those).
 *
 * <p>A chart that calls {@code lookup} gets nothing back (no cluster is reached); {@code helm
 * template} behaves the same. Helm calls are serialized: one render at a time per JVM.
 */
public final class HelmChartRenderer {
  private static final Logger log = LoggerFactory.getLogger(HelmChartRenderer.class);
  private static final Pattern SEPARATOR = Pattern.compile("(?m)^---\\s*$");
  private static final Object HELM = new Object();

  private final KubernetesSerialization serialization;

  /**
   * @param serialization turns values into JSON and rendered YAML into fabric8 objects (the one
   *     every cluster client of the service shares)
   */
  public HelmChartRenderer(KubernetesSerialization serialization) {
    this.serialization = Objects.requireNonNull(serialization, "serialization");
  }

  /**
   * Renders {@code chart} as release {@code release} with {@code values}.
   *
   * @param values nested maps, lists and scalars, as in a values file; may be empty
   * @return the rendered objects, in Helm's order; documents without a kind (empty) are skipped
   * @throws ChartRenderException when Helm refuses the chart or the values (its message says why)
   */
  public List<HasMetadata> render(ChartArchive chart, HelmRelease release, Map<String, ?> values) {
    Objects.requireNonNull(chart, "chart");
    Objects.requireNonNull(release, "release");
    Objects.requireNonNull(values, "values");
    return parse(renderYaml(chart, release, values));
  }

  /** As {@link #render}, but returns Helm's output as it printed it (multi-document YAML). */
  public String renderYaml(ChartArchive chart, HelmRelease release, Map<String, ?> values) {
    Path dir = null;
    try {
      dir = Files.createTempDirectory("meshorch-chart-");
      Path archive = dir.resolve("chart.tgz");
      chart.writeTo(archive);
      Path valuesFile = dir.resolve("values.json");
      Files.writeString(valuesFile, serialization.asJson(values), StandardCharsets.UTF_8);
      long start = System.nanoTime();
      String yaml;
      synchronized (HELM) {
        yaml =
            Helm.template(archive.toString())
                .withName(release.name())
                .withNamespace(release.namespace())
                .withKubeVersion(release.kubeVersion())
                .withValuesFile(valuesFile)
                .call();
      }
      log.debug(
          "rendered {} as {} in {} ms",
          chart.name(),
          release.name(),
          (System.nanoTime() - start) / 1_000_000);
      return yaml;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare the render of " + chart.name(), e);
    } catch (IllegalStateException e) {
      // helm-java reports Helm's errors (template failures, schema violations) this way.
      throw new ChartRenderException(
          "Helm cannot render " + chart.name() + ": " + e.getMessage(), e);
    } finally {
      deleteQuietly(dir);
    }
  }

  /** The objects of a multi-document YAML text, in order; empty documents are skipped. */
  public List<HasMetadata> parse(String yaml) {
    List<HasMetadata> objects = new ArrayList<>();
    for (String document : SEPARATOR.split(yaml)) {
      if (!hasContent(document)) {
        continue;
      }
      Object parsed = serialization.unmarshal(document);
      if (parsed instanceof HasMetadata object) {
        objects.add(object);
      } else if (parsed != null) {
        throw new ChartRenderException(
            "a rendered document is not a Kubernetes object: " + parsed.getClass().getName(), null);
      }
    }
    return objects;
  }

  private static boolean hasContent(String document) {
    return document
        .lines()
        .map(String::strip)
        .anyMatch(line -> !line.isEmpty() && !line.startsWith("#"));
  }

  private static void deleteQuietly(Path dir) {
    if (dir == null) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      log.debug("cannot delete {}: {}", dir, e.toString());
    }
  }
}
