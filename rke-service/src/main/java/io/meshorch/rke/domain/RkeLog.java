package io.meshorch.rke.domain;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Reads {@code rke up} output for failure messages. Only RKE's own error lines ({@code FATA[...]},
 * {@code ERRO[...]}) are taken, never the surrounding output, and a line that looks like it carries
 * key material or tokens is dropped, so the summary is safe to put into an event.
 */
public final class RkeLog {
  private static final Pattern ERROR_LINE = Pattern.compile("^\\s*(FATA|ERRO)\\[.*");
  private static final Pattern SECRETISH =
      Pattern.compile(
          "private key-----|private_key|client-key|client-certificate-data|token:|password",
          Pattern.CASE_INSENSITIVE);
  private static final Pattern SUCCESS_LINE =
      Pattern.compile("^\\s*INFO\\[.*Finished building Kubernetes cluster successfully\\s*$");
  private static final int MAX_LINE = 400;

  /** RKE's words when the SSH user may not use the node's Docker socket. */
  private static final Pattern DOCKER_DENIED =
      Pattern.compile(
          "Failed to set up SSH tunneling for host \\[([^\\]]+)]: .*(Unable to access the Docker"
              + " socket|permission denied while trying to connect to the Docker daemon socket)");

  private RkeLog() {}

  /**
   * The hosts for which {@code rke up} said that the SSH user cannot reach the Docker socket
   * ({@code WARN[…] Failed to set up SSH tunneling for host [h]: Can't retrieve Docker Info: …
   * Unable to access the Docker socket …}), in log order; empty when none.
   */
  public static List<String> dockerDeniedHosts(List<String> lines) {
    List<String> hosts = new ArrayList<>();
    for (String line : lines) {
      var m = DOCKER_DENIED.matcher(line);
      if (m.find() && !hosts.contains(m.group(1))) {
        hosts.add(m.group(1));
      }
    }
    return hosts;
  }

  /**
   * True when {@code lines} (the output of one {@code rke up}) end its run with RKE's success line,
   * {@code INFO[…] Finished building Kubernetes cluster successfully}, and hold no {@code FATA}
   * line. RKE writes {@code kube_config_cluster.yml} as soon as the control plane is up, well
   * before the workers and add-ons: a kubeconfig alone does not prove that a run finished, this
   * line does.
   */
  public static boolean finishedSuccessfully(List<String> lines) {
    boolean finished = false;
    for (String line : lines) {
      if (line.strip().startsWith("FATA[")) {
        return false;
      }
      finished |= SUCCESS_LINE.matcher(line).matches();
    }
    return finished;
  }

  /**
   * The last {@code max} error lines of {@code lines}, joined by newlines, each cut to 400 chars;
   * empty when there is none.
   */
  public static String failureSummary(List<String> lines, int max) {
    List<String> errors = new ArrayList<>();
    for (String line : lines) {
      if (ERROR_LINE.matcher(line).matches()
          && !SECRETISH.matcher(line.toLowerCase(Locale.ROOT)).find()) {
        String trimmed = line.strip();
        errors.add(trimmed.length() > MAX_LINE ? trimmed.substring(0, MAX_LINE) + "…" : trimmed);
      }
    }
    return String.join("\n", errors.subList(Math.max(0, errors.size() - max), errors.size()));
  }
}
