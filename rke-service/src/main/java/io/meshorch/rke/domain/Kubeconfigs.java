package io.meshorch.rke.domain;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the non-secret parts of a kubeconfig. */
public final class Kubeconfigs {
  private static final Pattern SERVER =
      Pattern.compile("(?m)^\\s*server:\\s*\"?([^\"\\s]+)\"?\\s*$");

  private Kubeconfigs() {}

  /** The first cluster's API server URL. */
  public static String apiServer(String kubeconfig) {
    Matcher m = SERVER.matcher(kubeconfig);
    if (!m.find()) {
      throw new IllegalArgumentException("the kubeconfig names no API server");
    }
    return m.group(1);
  }

  /** The secret-store reference of a cluster's admin kubeconfig. */
  public static String ref(String meshId, String cluster) {
    return "meshes/" + meshId + "/clusters/" + cluster + "/kubeconfig";
  }
}
