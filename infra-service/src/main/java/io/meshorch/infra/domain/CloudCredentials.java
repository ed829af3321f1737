package io.meshorch.infra.domain;

/**
 * How to authenticate against Keystone v3 with a password, scoped to a project.
 *
 * @param source where the values came from (a clouds.yaml path and cloud name, or the environment),
 *     for error messages
 * @param authUrl the Keystone v3 URL, e.g. {@code https://keystone.example.org:5000/v3}
 * @param username the user name
 * @param password the password; never logged ({@link #toString()} masks it)
 * @param projectName the project name, or null when {@code projectId} is given
 * @param projectId the project ID, or null when {@code projectName} is given
 * @param userDomainName the user's domain name ({@code Default} when not given)
 * @param projectDomainName the project's domain name ({@code Default} when not given)
 * @param regionName the region whose endpoints are used, or null for the first one
 */
public record CloudCredentials(
    String source,
    String authUrl,
    String username,
    String password,
    String projectName,
    String projectId,
    String userDomainName,
    String projectDomainName,
    String regionName) {

  @Override
  public String toString() {
    return "CloudCredentials[source="
        + source
        + ", authUrl="
        + authUrl
        + ", username="
        + username
        + ", password=****, projectName="
        + projectName
        + ", projectId="
        + projectId
        + ", userDomainName="
        + userDomainName
        + ", projectDomainName="
        + projectDomainName
        + ", regionName="
        + regionName
        + "]";
  }
}
