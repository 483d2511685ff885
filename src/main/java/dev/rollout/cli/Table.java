package dev.rollout.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A plain-text table: a header line and one line per row, columns two spaces apart, padded to their widest
 * cell (numbers may be right-aligned), no trailing spaces. Cells are made single-line and free of control
 * characters, so a server's text can neither break the layout nor drive the terminal.
 */
final class Table {

    private final List<String> headers;
    private final List<List<String>> rows = new ArrayList<>();
    private final Set<Integer> right = new HashSet<>();

    private Table(List<String> headers) {
        this.headers = headers;
    }

    static Table of(String... headers) {
        return new Table(Arrays.asList(headers));
    }

    /** Right-aligns these columns (0-based): numbers read best that way. */
    Table alignRight(int... columns) {
        for (int c : columns) {
            right.add(c);
        }
        return this;
    }

    /** Adds a row; {@code null} shows as {@code -}. A row shorter than the header is padded with empty cells. */
    Table row(Object... cells) {
        if (cells.length > headers.size()) {
            throw new IllegalArgumentException(cells.length + " cells for " + headers.size() + " columns");
        }
        List<String> row = new ArrayList<>();
        for (int i = 0; i < headers.size(); i++) {
            row.add(i < cells.length ? cell(cells[i]) : "");
        }
        rows.add(row);
        return this;
    }

    boolean isEmpty() {
        return rows.isEmpty();
    }

    String render() {
        int[] widths = new int[headers.size()];
        for (int i = 0; i < widths.length; i++) {
            widths[i] = headers.get(i).length();
            for (List<String> row : rows) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        StringBuilder out = new StringBuilder();
        line(out, headers, widths);
        for (List<String> row : rows) {
            line(out, row, widths);
        }
        return out.toString();
    }

    private void line(StringBuilder out, List<String> cells, int[] widths) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) {
                line.append("  ");
            }
            String cell = cells.get(i);
            String pad = " ".repeat(widths[i] - cell.length());
            line.append(right.contains(i) ? pad + cell : cell + pad);
        }
        int end = line.length();
        while (end > 0 && line.charAt(end - 1) == ' ') {
            end--;
        }
        out.append(line, 0, end).append('\n');
    }

    /** One line of printable text. */
    static String cell(Object value) {
        if (value == null) {
            return "-";
        }
        String text = value.toString();
        StringBuilder clean = new StringBuilder(text.length());
        text.codePoints().forEach(c -> clean.appendCodePoint(Character.isISOControl(c) ? ' ' : c));
        return clean.toString();
    }
}
