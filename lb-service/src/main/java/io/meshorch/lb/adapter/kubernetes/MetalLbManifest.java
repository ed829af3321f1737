package io.meshorch.lb.adapter.kubernetes;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.meshorch.kube.KubeApply;
import io.meshorch.lb.domain.MetalLbRelease;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * MetalLB's official manifests ({@code config/manifests/metallb-native.yaml} of a release), checked
 * against their SHA-256 and parsed with fabric8's serialization: every object of the file, in file
 * order (namespace, CRDs, RBAC, the webhook's Secret and Service, controller, speaker, the
 * validating webhook configuration), each marked as part of Helm release {@value #RELEASE} in
 * {@link MetalLbRelease#NAMESPACE}. Nothing is hand-built: another release is another file.
 */
public final class MetalLbManifest {
  /** The Helm release the objects are marked with (MetalLB's chart name). */
  public static final String RELEASE = "metallb";

  /** The manifests vendored in lb-service's resources. */
  public static final String BUNDLED = "classpath:metallb/metallb-native-v0.15.3.yaml";

  /** SHA-256 of {@link #BUNDLED}, as published in the v0.15.3 tag of metallb/metallb. */
  public static final String BUNDLED_SHA256 =
      "84b4e102f2b65f5d69085f5816c29362b74641873d8ac3de996e5f86a8219176";

  private static final Pattern CONTROLLER_IMAGE =
      Pattern.compile(".*/controller:v(\\d+\\.\\d+\\.\\d+)");

  private final String source;

  /** Each object of the file as JSON: read back for every install, far cheaper than the YAML. */
  private final List<String> objectsJson;

  private final MetalLbRelease release;
  private final KubernetesSerialization serialization;

  private MetalLbManifest(
      String source,
      List<String> objectsJson,
      MetalLbRelease release,
      KubernetesSerialization serialization) {
    this.source = source;
    this.objectsJson = objectsJson;
    this.release = release;
    this.serialization = serialization;
  }

  /**
   * Checks {@code bytes} against {@code expectedSha256}, then parses them.
   *
   * @param source where the bytes come from, for messages (e.g. the configured location)
   * @throws IllegalStateException naming the file, the expected and the actual checksum when they
   *     differ, or what is wrong when the file holds no usable MetalLB release
   */
  public static MetalLbManifest load(String source, byte[] bytes, String expectedSha256) {
    Objects.requireNonNull(expectedSha256, "expectedSha256");
    String actual = sha256(bytes);
    if (!actual.equals(expectedSha256.trim().toLowerCase(Locale.ROOT))) {
      throw new IllegalStateException(
          "MetalLB manifests "
              + source
              + " do not match their checksum (mesh.metallb.manifests-sha256): expected sha256 "
              + expectedSha256.trim()
              + ", found "
              + actual);
    }
    KubernetesSerialization serialization = new KubernetesSerialization();
    String yaml = new String(bytes, StandardCharsets.UTF_8);
    List<HasMetadata> objects = parse(source, yaml, serialization);
    Deployment controller =
        objects.stream()
            .filter(Deployment.class::isInstance)
            .map(Deployment.class::cast)
            .filter(d -> MetalLbRelease.CONTROLLER.equals(d.getMetadata().getName()))
            .findFirst()
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "MetalLB manifests "
                            + source
                            + " have no Deployment "
                            + MetalLbRelease.CONTROLLER));
    String image = controller.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
    Matcher m = CONTROLLER_IMAGE.matcher(image == null ? "" : image);
    if (!m.matches()) {
      throw new IllegalStateException(
          "MetalLB manifests "
              + source
              + ": the controller image "
              + image
              + " carries no pinned version tag (…/controller:vX.Y.Z)");
    }
    return new MetalLbManifest(
        source,
        objects.stream().map(serialization::asJson).toList(),
        new MetalLbRelease(m.group(1)),
        serialization);
  }

  private static List<HasMetadata> parse(
      String source, String yaml, KubernetesSerialization serialization) {
    Object parsed;
    try {
      parsed =
          serialization.unmarshal(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)));
    } catch (RuntimeException e) {
      throw new IllegalStateException(
          "MetalLB manifests " + source + " are not Kubernetes YAML: " + e.getMessage(), e);
    }
    List<?> items = parsed instanceof List<?> list ? list : List.of(parsed);
    List<HasMetadata> objects = new ArrayList<>();
    for (Object item : items) {
      if (!(item instanceof HasMetadata object)) {
        throw new IllegalStateException(
            "MetalLB manifests " + source + " hold a document that is not an object: " + item);
      }
      objects.add(object);
    }
    return objects;
  }

  /** Where the manifests come from. */
  public String source() {
    return source;
  }

  /** The release, from the controller image's tag. */
  public MetalLbRelease release() {
    return release;
  }

  /**
   * Every object of the file, in file order, fresh copies marked as Helm release {@value #RELEASE}
   * in {@link MetalLbRelease#NAMESPACE} (callers may change them).
   */
  public List<HasMetadata> objects() {
    List<HasMetadata> objects = new ArrayList<>(objectsJson.size());
    for (String json : objectsJson) {
      HasMetadata object = serialization.unmarshal(json);
      KubeApply.asHelmRelease(object, RELEASE, MetalLbRelease.NAMESPACE);
      objects.add(object);
    }
    return objects;
  }

  /** The SHA-256 of {@code bytes}, lowercase hex. */
  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }
}
