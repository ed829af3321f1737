package io.meshorch.cni.domain;

import io.meshorch.cni.domain.CertificateRequest.Role;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The clustermesh-apiserver certificates of one cluster, issued once from the mesh CA and kept in
 * the secret store, so a re-render of the chart gives the same Secrets. The private keys are
 * secrets: {@link #toString()} never shows them.
 *
 * <p>Names follow the Cilium 1.18 chart's own generator ({@code clustermesh-apiserver/tls-helm} and
 * {@code _helpers.tpl}), with its default {@code clustermesh.apiserver.tls.authMode=legacy}:
 *
 * <ul>
 *   <li>server: {@code CN=clustermesh-apiserver.cilium.io}, DNS {@code
 *       clustermesh-apiserver.cilium.io}, {@code *.mesh.cilium.io}, {@code
 *       clustermesh-apiserver.kube-system.svc}, IP {@code 127.0.0.1}, {@code ::1};
 *   <li>admin: {@code CN=admin-<cluster>};
 *   <li>remote: {@code CN=remote} (the etcd user every remote cluster logs in as in legacy mode);
 *   <li>local (the "client" certificate of the agents in KVStoreMesh mode): {@code
 *       CN=local-<cluster>}.
 * </ul>
 *
 * @param server the etcd server certificate
 * @param admin the admin client certificate
 * @param remote the client certificate remote clusters use
 * @param local the client certificate local agents and the operator use
 */
public record ClusterMeshCertificates(
    IssuedCertificate server,
    IssuedCertificate admin,
    IssuedCertificate remote,
    IssuedCertificate local) {
  /** Subject CN and first DNS name of the server certificate. */
  public static final String SERVER_NAME = "clustermesh-apiserver.cilium.io";

  /** The names remote agents dial, {@code <cluster>.mesh.cilium.io}, resolved by host aliases. */
  public static final String MESH_DOMAIN_WILDCARD = "*.mesh.cilium.io";

  private static final Pattern BLOCK =
      Pattern.compile("-----BEGIN ([A-Z ]+)-----\\n[^-]*-----END \\1-----\\n");

  public ClusterMeshCertificates {
    Objects.requireNonNull(server, "server");
    Objects.requireNonNull(admin, "admin");
    Objects.requireNonNull(remote, "remote");
    Objects.requireNonNull(local, "local");
  }

  /**
   * Secret-store reference: {@code meshes/<meshId>/clusters/<cluster>/clustermesh-apiserver-certs}.
   */
  public static String secretRef(String meshId, String cluster) {
    return "meshes/" + meshId + "/clusters/" + cluster + "/clustermesh-apiserver-certs";
  }

  /** What to issue for cluster {@code clusterName}, in the order server, admin, remote, local. */
  public static List<CertificateRequest> requestsFor(String clusterName) {
    return List.of(
        new CertificateRequest(
            Role.SERVER,
            SERVER_NAME,
            List.of(
                SERVER_NAME,
                MESH_DOMAIN_WILDCARD,
                "clustermesh-apiserver." + CiliumValues.NAMESPACE + ".svc"),
            List.of("127.0.0.1", "::1")),
        new CertificateRequest(Role.ADMIN, "admin-" + clusterName, List.of(), List.of()),
        new CertificateRequest(Role.REMOTE, "remote", List.of(), List.of()),
        new CertificateRequest(Role.LOCAL, "local-" + clusterName, List.of(), List.of()));
  }

  /** Assembles the four certificates issued for {@link #requestsFor}. */
  public static ClusterMeshCertificates of(Map<Role, IssuedCertificate> issued) {
    return new ClusterMeshCertificates(
        issued.get(Role.SERVER),
        issued.get(Role.ADMIN),
        issued.get(Role.REMOTE),
        issued.get(Role.LOCAL));
  }

  /** The certificate of {@code role}. */
  public IssuedCertificate get(Role role) {
    return switch (role) {
      case SERVER -> server;
      case ADMIN -> admin;
      case REMOTE -> remote;
      case LOCAL -> local;
    };
  }

  /** The secret-store value: certificate then key PEM blocks for server, admin, remote, local. */
  public byte[] encode() {
    StringBuilder text = new StringBuilder();
    for (Role role : Role.values()) {
      text.append(normalize(get(role).certificatePem()))
          .append(normalize(get(role).privateKeyPem()));
    }
    return text.toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Reads a value written by {@link #encode()}.
   *
   * @throws IllegalArgumentException when it is not eight PEM blocks, certificate and key in turn
   *     (the message never quotes the value)
   */
  public static ClusterMeshCertificates decode(byte[] value) {
    String text = new String(value, StandardCharsets.UTF_8).replace("\r\n", "\n");
    List<String> blocks = new ArrayList<>();
    List<String> types = new ArrayList<>();
    Matcher m = BLOCK.matcher(text);
    while (m.find()) {
      blocks.add(m.group());
      types.add(m.group(1));
    }
    if (blocks.size() != 8) {
      throw new IllegalArgumentException(
          "stored clustermesh-apiserver certificates must be 8 PEM blocks, found " + blocks.size());
    }
    IssuedCertificate[] pairs = new IssuedCertificate[4];
    for (int i = 0; i < 4; i++) {
      if (!types.get(2 * i).equals("CERTIFICATE")
          || !types.get(2 * i + 1).endsWith("PRIVATE KEY")) {
        throw new IllegalArgumentException(
            "stored clustermesh-apiserver certificates must alternate certificate and key blocks");
      }
      pairs[i] = new IssuedCertificate(blocks.get(2 * i), blocks.get(2 * i + 1));
    }
    return new ClusterMeshCertificates(pairs[0], pairs[1], pairs[2], pairs[3]);
  }

  @Override
  public String toString() {
    return "ClusterMeshCertificates[server, admin, remote, local; keys redacted]";
  }

  private static String normalize(String pem) {
    return pem.replace("\r\n", "\n").strip() + "\n";
  }
}
