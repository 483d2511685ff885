package dev.rollout.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class TableTest {

    @Test
    void columnsArePaddedToTheWidestCellTwoSpacesApartWithoutTrailingSpaces() {
        String text = Table.of("STEP", "PERCENTAGE", "EARLIEST AFTER START").alignRight(0, 1)
                .row(1, "5 %", "0s")
                .row(10, "100 %", "6d 20h")
                .render();
        assertEquals("""
                STEP  PERCENTAGE  EARLIEST AFTER START
                   1         5 %  0s
                  10       100 %  6d 20h
                """, text);
    }

    @Test
    void nullsShowAsADashAndShortRowsAreFilled() {
        assertEquals("A  B\n-\nx  y\n", Table.of("A", "B").row((Object) null).row("x", "y").render());
    }

    @Test
    void serverTextCannotBreakTheLayoutOrDriveTheTerminal() {
        String text = Table.of("REASON", "BY").row("line one\nline two\u001b[31m", "ops").render();
        assertEquals("REASON" + " ".repeat(18) + "BY\nline one line two [31m  ops\n", text);
    }

    @Test
    void aRowWiderThanTheHeaderIsABug() {
        assertThrows(IllegalArgumentException.class, () -> Table.of("A").row("x", "y"));
    }
}
