package io.meshorch.infra.domain;

/**
 * Which certificates the HTTP client trusts for one cloud, as the OpenStack client reads them:
 * {@code cacert} (or {@code OS_CACERT}) names a PEM bundle that is trusted instead of the JDK's
 * trust store, as python-requests does with {@code verify=<bundle>}; {@code verify: false} (or
 * {@code OS_INSECURE=true}) turns verification off, and then {@code cacert} is ignored.
 *
 * @param cacert path of a PEM bundle of CA certificates, or null for the JDK's trust store
 * @param cacertSetting the setting that named it (e.g. {@code /etc/openstack/clouds.yaml:
 *     clouds.prod.cacert} or {@code OS_CACERT}), for errors
 * @param verify false to accept any certificate (logged as a warning)
 * @param verifySetting the setting that turned verification off, for the warning; null when on
 */
public record CloudTls(String cacert, String cacertSetting, boolean verify, String verifySetting) {

  /** The JDK's trust store, verification on. */
  public static CloudTls systemDefault() {
    return new CloudTls(null, null, true, null);
  }

  /** True when the JDK's trust store applies unchanged. */
  public boolean usesSystemDefault() {
    return verify && cacert == null;
  }
}
