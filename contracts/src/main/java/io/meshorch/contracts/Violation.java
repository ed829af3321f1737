package io.meshorch.contracts;

/**
 * One broken rule of a request.
 *
 * @param field path of the offending field, e.g. {@code clusters[1].podCidr}
 * @param rule the rule it breaks, in words a user can act on
 */
public record Violation(String field, String rule) {}
