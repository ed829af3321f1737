package io.meshorch.contracts;

/**
 * One broken rule of a request.
 *
 * @param field path of the offending field, e.g. {@code clusters[1].podCidr}, or a pattern such as
 *     {@code clusters[*].podCidr} when the rule names several clusters' fields
 * @param rule the rule it breaks, in words a user can act on
 */
public record Violation(String field, String rule) {}
