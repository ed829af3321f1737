package io.meshorch.infra.domain;

/**
 * How infra-service proves who it is to Keystone v3: the {@code auth_type} of a clouds.yaml entry
 * ({@code password}/{@code v3password}, or {@code v3applicationcredential}). Secrets are never in
 * {@code toString()}.
 */
public sealed interface KeystoneAuth
    permits KeystoneAuth.Password, KeystoneAuth.ApplicationCredential {

  /** Who authenticates, for messages and logs (never the secret). */
  String principal();

  /**
   * A user's password, scoped to a project ({@code auth_type: password}, the default).
   *
   * @param username the user name
   * @param password the password; never logged
   * @param projectName the project name, or null when {@code projectId} is given
   * @param projectId the project ID, or null when {@code projectName} is given
   * @param userDomainName the user's domain name ({@code Default} when not given)
   * @param projectDomainName the project's domain name ({@code Default} when not given)
   */
  record Password(
      String username,
      String password,
      String projectName,
      String projectId,
      String userDomainName,
      String projectDomainName)
      implements KeystoneAuth {

    @Override
    public String principal() {
      return "user " + username;
    }

    @Override
    public String toString() {
      return "Password[username="
          + username
          + ", password=****, projectName="
          + projectName
          + ", projectId="
          + projectId
          + ", userDomainName="
          + userDomainName
          + ", projectDomainName="
          + projectDomainName
          + "]";
    }
  }

  /**
   * An application credential ({@code auth_type: v3applicationcredential}): by ID, or by name with
   * its owner (a user ID, or a user name with its domain). It is scoped to the project it was
   * created in, so no project is given.
   *
   * @param id the credential's ID, or null when {@code name} is given
   * @param name the credential's name, or null when {@code id} is given
   * @param secret the credential's secret; never logged
   * @param userId the owner's ID (with {@code name}), or null
   * @param username the owner's name (with {@code name}, when no {@code userId}), or null
   * @param userDomainName the owner's domain name (with {@code username}), or null
   * @param userDomainId the owner's domain ID (with {@code username}), or null
   */
  record ApplicationCredential(
      String id,
      String name,
      String secret,
      String userId,
      String username,
      String userDomainName,
      String userDomainId)
      implements KeystoneAuth {

    @Override
    public String principal() {
      return id != null ? "application credential " + id : "application credential " + name;
    }

    @Override
    public String toString() {
      return "ApplicationCredential[id="
          + id
          + ", name="
          + name
          + ", secret=****, userId="
          + userId
          + ", username="
          + username
          + ", userDomainName="
          + userDomainName
          + ", userDomainId="
          + userDomainId
          + "]";
    }
  }
}
