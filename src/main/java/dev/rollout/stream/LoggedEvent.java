package dev.rollout.stream;

import java.util.UUID;

/** One committed history event as streams need it: where it belongs (to filter) and its data, already JSON. */
record LoggedEvent(long seq, UUID rolloutId, String target, String action, String data) {
}
