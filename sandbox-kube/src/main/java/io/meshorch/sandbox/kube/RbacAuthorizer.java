package io.meshorch.sandbox.kube;

import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Kubernetes RBAC as the API server's authorizer evaluates it for a ServiceAccount: a right is
 * granted by a rule of a ClusterRole bound with a ClusterRoleBinding (everywhere), or of a Role or
 * ClusterRole bound with a RoleBinding (in that binding's namespace only). A rule matches when its
 * apiGroups, resources and verbs contain the request's (or {@code *}); a rule with {@code
 * resourceNames} never grants list, watch or create on a collection. Subjects: the ServiceAccount
 * itself, or the groups {@code system:serviceaccounts}, {@code system:serviceaccounts:<ns>}, {@code
 * system:authenticated}. Denials are worded as the API server's 403.
 */
final class RbacAuthorizer {
  private RbacAuthorizer() {}

  /**
   * The first of {@code rights} not granted to ServiceAccount {@code namespace/name}, as the API
   * server's message, or empty when all are granted.
   */
  static Optional<String> firstDenied(
      ClusterReads reads, String namespace, String name, List<ComponentRights.Right> rights) {
    List<PolicyRule> clusterWide = new ArrayList<>();
    for (ClusterRoleBinding b : reads.list(ClusterRoleBinding.class)) {
      if (binds(b.getSubjects(), namespace, name) && "ClusterRole".equals(kind(b.getRoleRef()))) {
        clusterWide.addAll(clusterRoleRules(reads, b.getRoleRef().getName()));
      }
    }
    List<PolicyRule> inNamespace = new ArrayList<>(clusterWide);
    for (RoleBinding b : reads.list(RoleBinding.class, namespace)) {
      if (!binds(b.getSubjects(), namespace, name)) {
        continue;
      }
      if ("ClusterRole".equals(kind(b.getRoleRef()))) {
        inNamespace.addAll(clusterRoleRules(reads, b.getRoleRef().getName()));
      } else {
        Role role = reads.get(Role.class, namespace, b.getRoleRef().getName());
        if (role != null && role.getRules() != null) {
          inNamespace.addAll(role.getRules());
        }
      }
    }
    for (ComponentRights.Right r : rights) {
      List<PolicyRule> rules = r.namespaced() ? inNamespace : clusterWide;
      if (rules.stream().noneMatch(rule -> grants(rule, r))) {
        return Optional.of(forbidden(namespace, name, r));
      }
    }
    return Optional.empty();
  }

  private static String kind(RoleRef ref) {
    return ref == null ? null : ref.getKind();
  }

  private static List<PolicyRule> clusterRoleRules(ClusterReads reads, String name) {
    ClusterRole role = reads.get(ClusterRole.class, null, name);
    return role == null || role.getRules() == null ? List.of() : role.getRules();
  }

  private static boolean binds(List<Subject> subjects, String namespace, String name) {
    if (subjects == null) {
      return false;
    }
    for (Subject s : subjects) {
      if ("ServiceAccount".equals(s.getKind())
          && name.equals(s.getName())
          && namespace.equals(s.getNamespace())) {
        return true;
      }
      if ("Group".equals(s.getKind())
          && List.of(
                  "system:serviceaccounts",
                  "system:serviceaccounts:" + namespace,
                  "system:authenticated")
              .contains(s.getName())) {
        return true;
      }
    }
    return false;
  }

  private static boolean grants(PolicyRule rule, ComponentRights.Right r) {
    boolean collection =
        r.verb().equals("list") || r.verb().equals("watch") || r.verb().equals("create");
    if (collection && rule.getResourceNames() != null && !rule.getResourceNames().isEmpty()) {
      return false;
    }
    return has(rule.getApiGroups(), r.apiGroup())
        && has(rule.getResources(), r.resource())
        && has(rule.getVerbs(), r.verb());
  }

  private static boolean has(List<String> values, String wanted) {
    return values != null && (values.contains(wanted) || values.contains("*"));
  }

  /** The API server's 403 text for {@code right}, as a client-go informer logs it. */
  static String forbidden(String namespace, String name, ComponentRights.Right r) {
    String scope =
        r.namespaced() ? "in the namespace \"" + namespace + "\"" : "at the cluster scope";
    String text =
        r.resource()
            + " is forbidden: User \"system:serviceaccount:"
            + namespace
            + ":"
            + name
            + "\" cannot "
            + r.verb()
            + " resource \""
            + r.resource()
            + "\" in API group \""
            + r.apiGroup()
            + "\" "
            + scope;
    return r.verb().equals("list") || r.verb().equals("watch")
        ? "failed to " + r.verb() + " " + r.resource() + ": " + text
        : text;
  }
}
