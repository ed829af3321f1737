package io.meshorch.sandbox.openstack;

/** Hands out fixed IPs of the sandbox subnet, skipping network, gateway and broadcast. */
final class AddressPool {
  private final long first;
  private final long last;
  private long next;

  AddressPool(String cidr) {
    String[] parts = cidr.split("/");
    long base = 0;
    for (String octet : parts[0].split("\\.")) {
      base = (base << 8) | Integer.parseInt(octet);
    }
    long size = 1L << (32 - Integer.parseInt(parts[1]));
    this.first = base + 2;
    this.last = base + size - 2;
    this.next = first;
  }

  synchronized String allocate() {
    if (next > last) {
      throw new IllegalStateException("the sandbox subnet is full");
    }
    long a = next++;
    if ((a & 255) == 0 || (a & 255) == 255) {
      return allocate();
    }
    return ((a >> 24) & 255) + "." + ((a >> 16) & 255) + "." + ((a >> 8) & 255) + "." + (a & 255);
  }

  String gateway() {
    long a = first - 1;
    return ((a >> 24) & 255) + "." + ((a >> 16) & 255) + "." + ((a >> 8) & 255) + "." + (a & 255);
  }
}
