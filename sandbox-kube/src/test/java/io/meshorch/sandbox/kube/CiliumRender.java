package io.meshorch.sandbox.kube;

import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.meshorch.charts.ChartArchive;
import io.meshorch.charts.HelmChartRenderer;
import io.meshorch.charts.HelmRelease;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Cilium 1.18.12 as its official chart renders it, made when a test first asks for it: the archive
 * the {@code charts} module bundles ({@code cilium-1.18.12.tgz}, checked against its SHA-256)
 * rendered offline by Helm's own engine ({@link HelmChartRenderer}), once per CA and JVM. Each CA
 * ({@code ca1}, {@code ca2}: two different ones) is a throwaway self-signed RSA 2048 CA generated
 * here, so no private key is ever committed; the chart issues the clustermesh-apiserver's
 * certificates from it ({@code genSignedCert}: server SANs {@code clustermesh-apiserver.cilium.io},
 * {@code *.mesh.cilium.io}, {@code clustermesh-apiserver.kube-system.svc}, 127.0.0.1, ::1), valid
 * from the render on.
 *
 * <p>Values (those of the files these renders replace): release {@code cilium} in {@code
 * kube-system}, Kubernetes 1.32.0, {@code cluster.name=east cluster.id=1
 * clustermesh.useAPIServer=true clustermesh.apiserver.service.type=LoadBalancer tls.ca.cert/key
 * ipam.mode=cluster-pool ipam.operator.clusterPoolIPv4PodCIDRList=[10.101.0.0/16]
 * routingMode=tunnel tunnelProtocol=vxlan k8sServiceHost=127.20.2.11 k8sServicePort=6443
 * hubble.tls.auto.method=cronJob clustermesh.apiserver.tls.auto.certValidityDuration=36500} ({@code
 * cronJob} because Helm's {@code lookup} has no cluster offline; the long validity keeps
 * certificates valid for any test time).
 */
final class CiliumRender {
  private static final HelmRelease RELEASE = new HelmRelease("cilium", "kube-system", "1.32.0");
  private static final Duration CA_VALIDITY = Duration.ofDays(36_500);
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Map<String, TestCa> CAS = new HashMap<>();
  private static final Map<String, String> RENDERS = new HashMap<>();

  private CiliumRender() {}

  /** A CA made for the tests of one JVM; its key never leaves memory. */
  record TestCa(X509Certificate cert, PrivateKey key) {
    String certPem() {
      try {
        return pem("CERTIFICATE", cert.getEncoded());
      } catch (CertificateException e) {
        throw new IllegalStateException(e);
      }
    }

    String keyPem() {
      return pem("PRIVATE KEY", key.getEncoded());
    }
  }

  /**
   * The chart's objects as Helm printed them (multi-document YAML), rendered with CA {@code ca}.
   */
  static synchronized String yaml(String ca) {
    return RENDERS.computeIfAbsent(ca, CiliumRender::render);
  }

  /** CA {@code ca} ({@code ca1} or {@code ca2}), made on first use. */
  static synchronized TestCa ca(String ca) {
    if (!ca.equals("ca1") && !ca.equals("ca2")) {
      throw new IllegalArgumentException("test CAs are ca1 and ca2, not " + ca);
    }
    return CAS.computeIfAbsent(ca, name -> selfSignedCa());
  }

  /**
   * A server certificate CA {@code ca1} issues without the mesh's name: SANs {@code
   * clustermesh-apiserver.cilium.io} and {@code clustermesh-apiserver.kube-system.svc} only, so a
   * remote cannot be dialed by it as {@code <cluster>.mesh.cilium.io}.
   */
  static String serverCertWithoutMeshSan() {
    TestCa issuer = ca("ca1");
    KeyPair keys = rsa();
    Instant now = Instant.now();
    try {
      X509v3CertificateBuilder b =
          new JcaX509v3CertificateBuilder(
                  issuer.cert(),
                  serial(),
                  Date.from(now.minus(Duration.ofMinutes(5))),
                  Date.from(now.plus(CA_VALIDITY)),
                  new X500Name("CN=clustermesh-apiserver.cilium.io"),
                  keys.getPublic())
              .addExtension(
                  Extension.subjectAlternativeName,
                  false,
                  new GeneralNames(
                      new GeneralName[] {
                        new GeneralName(GeneralName.dNSName, "clustermesh-apiserver.cilium.io"),
                        new GeneralName(
                            GeneralName.dNSName, "clustermesh-apiserver.kube-system.svc")
                      }))
              .addExtension(
                  Extension.extendedKeyUsage,
                  false,
                  new ExtendedKeyUsage(
                      new KeyPurposeId[] {
                        KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth
                      }));
      return pem("CERTIFICATE", sign(b, issuer.key()).getEncoded());
    } catch (CertIOException | CertificateException e) {
      throw new IllegalStateException("cannot issue the test server certificate", e);
    }
  }

  private static String render(String ca) {
    TestCa testCa = ca(ca);
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("cluster", Map.of("name", "east", "id", 1));
    values.put(
        "clustermesh",
        Map.of(
            "useAPIServer",
            true,
            "apiserver",
            Map.of(
                "service",
                Map.of("type", "LoadBalancer"),
                "tls",
                Map.of("auto", Map.of("certValidityDuration", 36_500)))));
    values.put(
        "tls", Map.of("ca", Map.of("cert", b64(testCa.certPem()), "key", b64(testCa.keyPem()))));
    values.put(
        "ipam",
        Map.of(
            "mode",
            "cluster-pool",
            "operator",
            Map.of("clusterPoolIPv4PodCIDRList", List.of("10.101.0.0/16"))));
    values.put("routingMode", "tunnel");
    values.put("tunnelProtocol", "vxlan");
    values.put("k8sServiceHost", "127.20.2.11");
    values.put("k8sServicePort", 6443);
    values.put("hubble", Map.of("tls", Map.of("auto", Map.of("method", "cronJob"))));
    return new HelmChartRenderer(new KubernetesSerialization())
        .renderYaml(ChartArchive.bundled(ChartArchive.CILIUM), RELEASE, values);
  }

  private static TestCa selfSignedCa() {
    KeyPair keys = rsa();
    Instant now = Instant.now();
    X500Name subject = new X500Name("CN=Cilium CA");
    try {
      X509v3CertificateBuilder b =
          new JcaX509v3CertificateBuilder(
                  subject,
                  serial(),
                  Date.from(now.minus(Duration.ofMinutes(5))),
                  Date.from(now.plus(CA_VALIDITY)),
                  subject,
                  keys.getPublic())
              .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
              .addExtension(
                  Extension.keyUsage,
                  true,
                  new KeyUsage(
                      KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature));
      return new TestCa(sign(b, keys.getPrivate()), keys.getPrivate());
    } catch (CertIOException e) {
      throw new IllegalStateException("cannot make the test CA", e);
    }
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey issuerKey) {
    try {
      return new JcaX509CertificateConverter()
          .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withRSA").build(issuerKey)));
    } catch (OperatorCreationException | CertificateException e) {
      throw new IllegalStateException("cannot sign a test certificate", e);
    }
  }

  private static KeyPair rsa() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048, RANDOM);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static BigInteger serial() {
    return new BigInteger(63, RANDOM);
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.US_ASCII));
  }
}
