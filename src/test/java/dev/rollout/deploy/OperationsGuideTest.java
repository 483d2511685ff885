package dev.rollout.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * docs/operations.md has a runbook for every alert the shipped rules can fire (an on-call engineer paged by
 * an alert finds what to do under its name), alerts that carry a runbook_url point at that runbook, and the
 * README links the guide.
 */
class OperationsGuideTest {

    /** The guide's "### Name" headings under "## Runbooks", with the text under each. */
    static Map<String, String> runbooks() {
        String guide = Deployables.read(Deployables.OPERATIONS);
        int start = guide.indexOf("\n## Runbooks\n");
        assertTrue(start >= 0, "docs/operations.md has a Runbooks section");
        int end = guide.indexOf("\n## ", start + 1);
        String section = guide.substring(start, end < 0 ? guide.length() : end);
        Map<String, String> runbooks = new LinkedHashMap<>();
        String[] parts = section.split("\n### ");
        for (int i = 1; i < parts.length; i++) {
            int newline = parts[i].indexOf('\n');
            runbooks.put(parts[i].substring(0, newline).strip(), parts[i].substring(newline + 1));
        }
        return runbooks;
    }

    @Test
    void everyAlertHasARunbook() {
        Map<String, String> runbooks = runbooks();
        List<String> missing = new ArrayList<>();
        for (String alert : Deployables.alertNames()) {
            String body = runbooks.get(alert);
            if (body == null) {
                missing.add(alert);
            } else {
                for (String part : List.of("**Means**", "**Check**", "**Do**")) {
                    assertTrue(body.contains(part), alert + "'s runbook says what it " + part);
                }
            }
        }
        assertEquals(List.of(), missing, "alerts without a '### <alert>' runbook in docs/operations.md");
    }

    @Test
    void alertsThatLinkARunbookLinkTheirOwn() {
        for (Object group : Yaml.listAt(Yaml.document(Deployables.RULES), "groups")) {
            for (Object rule : Yaml.listAt(group, "rules")) {
                String alert = Yaml.string(rule, "alert");
                String url = Yaml.string(rule, "annotations", "runbook_url");
                if (alert != null && url != null) {
                    assertTrue(url.endsWith("docs/operations.md#" + alert.toLowerCase(Locale.ROOT)),
                            alert + "'s runbook_url points at its runbook: " + url);
                }
            }
        }
    }

    @Test
    void theReadmeLinksTheGuide() {
        assertTrue(Deployables.read(java.nio.file.Path.of("README.md")).contains("](docs/operations.md"));
    }
}
