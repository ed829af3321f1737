package io.meshorch.restart;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A plain-text table with aligned columns, for the suite's report. */
final class Table {
  private final List<String> header;
  private final List<List<String>> rows = new ArrayList<>();

  Table(String... header) {
    this.header = List.of(header);
  }

  /** Adds a row; values are printed with {@link String#valueOf(Object)}. */
  Table row(Object... values) {
    if (values.length != header.size()) {
      throw new IllegalArgumentException(
          "a row of " + values.length + " values for " + header.size() + " columns");
    }
    rows.add(Arrays.stream(values).map(String::valueOf).toList());
    return this;
  }

  @Override
  public String toString() {
    int[] width = new int[header.size()];
    for (int i = 0; i < width.length; i++) {
      width[i] = header.get(i).length();
      for (List<String> row : rows) {
        width[i] = Math.max(width[i], row.get(i).length());
      }
    }
    StringBuilder out = new StringBuilder();
    line(out, header, width);
    StringBuilder rule = new StringBuilder();
    for (int w : width) {
      rule.append("-".repeat(w)).append("  ");
    }
    out.append(rule.toString().stripTrailing()).append('\n');
    rows.forEach(row -> line(out, row, width));
    return out.toString();
  }

  private static void line(StringBuilder out, List<String> cells, int[] width) {
    StringBuilder line = new StringBuilder();
    for (int i = 0; i < cells.size(); i++) {
      line.append(cells.get(i)).append(" ".repeat(width[i] - cells.get(i).length() + 2));
    }
    out.append(line.toString().stripTrailing()).append('\n');
  }
}
