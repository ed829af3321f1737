/** The sandbox's own certificate authorities, for peers that serve TLS as their real ones do. */
package io.meshorch.sandbox.core.pki;
