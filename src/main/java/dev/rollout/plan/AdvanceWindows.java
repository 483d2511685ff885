package dev.rollout.plan;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The advance-window rule of a plan, free of I/O: whether an instant (the database clock's) lies inside one
 * of the plan's windows, and when the next one opens. Times are wall-clock times of each window's zone, so
 * across a daylight-saving change a window keeps its local hours: on the night clocks go forward an hour
 * that does not exist is never inside a window (a window 01:00-04:00 lasts two hours), and on the night they
 * go back an hour that happens twice is inside it both times (the same window lasts four hours). A plan
 * without windows is always open.
 */
public final class AdvanceWindows {

    public static final AdvanceWindows ALWAYS = new AdvanceWindows(List.of());
    public static final int MAX_WINDOWS = 20;
    static final Pattern TIME = Pattern.compile("([01][0-9]|2[0-4]):([0-5][0-9])");
    static final List<String> DAYS = List.of("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN");
    private static final int MINUTES_PER_DAY = 24 * 60;
    /** How far ahead the next opening is looked for: more than a week, so every listed day comes round. */
    private static final int SEARCH_DAYS = 15;

    /** One parsed window: minutes of the local day, {@code until} up to 1440 (24:00). */
    record Window(Set<DayOfWeek> days, int from, int until, ZoneId zone) {

        boolean crossesMidnight() {
            return from > until;
        }

        boolean contains(Instant instant) {
            ZonedDateTime local = instant.atZone(zone);
            LocalTime time = local.toLocalTime();
            long nanos = time.toNanoOfDay();
            long fromNanos = from * 60_000_000_000L;
            long untilNanos = until * 60_000_000_000L;
            DayOfWeek day = local.getDayOfWeek();
            if (!crossesMidnight()) {
                return days.contains(day) && nanos >= fromNanos && nanos < untilNanos;
            }
            return (days.contains(day) && nanos >= fromNanos) || (days.contains(day.minus(1)) && nanos < untilNanos);
        }
    }

    private final List<Window> windows;

    private AdvanceWindows(List<Window> windows) {
        this.windows = windows;
    }

    /** The rule of valid windows (check them first with {@link #problems}); null or empty: always open. */
    public static AdvanceWindows of(List<AdvanceWindow> windows) {
        if (windows == null || windows.isEmpty()) {
            return ALWAYS;
        }
        List<Window> parsed = new ArrayList<>(windows.size());
        for (AdvanceWindow w : windows) {
            Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
            w.days().forEach(d -> days.add(DayOfWeek.of(DAYS.indexOf(d) + 1)));
            parsed.add(new Window(days, minutes(w.from()), minutes(w.until()), ZoneId.of(w.zone())));
        }
        return new AdvanceWindows(List.copyOf(parsed));
    }

    public boolean isAlways() {
        return windows.isEmpty();
    }

    /** Whether a step may be entered at {@code now}. */
    public boolean isOpen(Instant now) {
        return windows.isEmpty() || windows.stream().anyMatch(w -> w.contains(now));
    }

    /**
     * The first instant at or after {@code now} at which a window is open: {@code now} itself when one is;
     * empty when none opens within two weeks (windows that fall wholly into skipped daylight-saving hours).
     * Openings are found among each window's start on each day (at every offset the local time has) and the
     * zone's offset changes (where skipped or repeated hours move the wall clock into a window).
     */
    public Optional<Instant> nextOpening(Instant now) {
        if (isOpen(now)) {
            return Optional.of(now);
        }
        Instant best = null;
        Instant horizon = now.plus(Duration.ofDays(SEARCH_DAYS));
        for (Window w : windows) {
            ZoneRules rules = w.zone().getRules();
            List<Instant> candidates = new ArrayList<>();
            LocalDate first = now.atZone(w.zone()).toLocalDate().minusDays(1);
            for (int i = 0; i <= SEARCH_DAYS; i++) {
                LocalDate date = first.plusDays(i);
                if (!w.days().contains(date.getDayOfWeek())) {
                    continue;
                }
                LocalDateTime opening = date.atStartOfDay().plusMinutes(w.from());
                for (ZoneOffset offset : rules.getValidOffsets(opening)) {
                    candidates.add(opening.toInstant(offset));
                }
            }
            for (ZoneOffsetTransition t = rules.nextTransition(now); t != null && t.getInstant().isBefore(horizon);
                    t = rules.nextTransition(t.getInstant())) {
                candidates.add(t.getInstant());
            }
            for (Instant candidate : candidates) {
                if (!candidate.isBefore(now) && candidate.isBefore(horizon) && w.contains(candidate)
                        && (best == null || candidate.isBefore(best))) {
                    best = candidate;
                }
            }
        }
        return Optional.ofNullable(best);
    }

    /**
     * What is wrong with {@code windows} as the plan's {@code advanceWindows}, one line per problem: at most
     * {@value #MAX_WINDOWS} windows; each with 1 to 7 distinct days among MON..SUN; {@code from} HH:MM from 00:00
     * to 23:59 and {@code until} from 00:01 to 24:00, not equal (a {@code from} after {@code until} crosses
     * midnight); {@code zone} an IANA region ID such as Europe/Berlin (or UTC).
     */
    public static List<String> problems(List<AdvanceWindow> windows) {
        List<String> problems = new ArrayList<>();
        if (windows == null) {
            return problems;
        }
        if (windows.isEmpty()) {
            problems.add("advanceWindows: must list at least 1 window, or be left out to allow steps at any time");
            return problems;
        }
        if (windows.size() > MAX_WINDOWS) {
            problems.add("advanceWindows: at most " + MAX_WINDOWS + " windows are allowed, got " + windows.size());
            return problems;
        }
        for (int i = 0; i < windows.size(); i++) {
            String field = "advanceWindows[" + i + "]";
            AdvanceWindow w = windows.get(i);
            if (w == null) {
                problems.add(field + ": must be an object with days, from, until and zone");
                continue;
            }
            if (w.days() == null || w.days().isEmpty() || w.days().size() > 7) {
                problems.add(field + ".days: must list 1 to 7 days of " + DAYS);
            } else {
                Set<String> seen = new java.util.HashSet<>();
                for (int d = 0; d < w.days().size(); d++) {
                    String day = w.days().get(d);
                    if (day == null || !DAYS.contains(day)) {
                        problems.add(field + ".days[" + d + "]: must be one of " + DAYS + ", got "
                                + (day == null ? "null" : "'" + PlanValidator.clip(day) + "'"));
                    } else if (!seen.add(day)) {
                        problems.add(field + ".days[" + d + "]: " + day + " is listed twice");
                    }
                }
            }
            Integer from = time(field + ".from", w.from(), false, problems);
            Integer until = time(field + ".until", w.until(), true, problems);
            if (from != null && until != null && from.equals(until)) {
                problems.add(field + ": from and until must differ (a window from " + w.from() + " until "
                        + w.until() + " would be empty; for a window across midnight give a from later than until)");
            }
            if (w.zone() == null || w.zone().isBlank()) {
                problems.add(field + ".zone: is required, an IANA time zone such as Europe/Berlin");
            } else if (!ZoneId.getAvailableZoneIds().contains(w.zone())) {
                problems.add(field + ".zone: must be an IANA time zone such as Europe/Berlin or UTC, got '"
                        + PlanValidator.clip(w.zone()) + "'");
            }
        }
        return problems;
    }

    private static Integer time(String field, String text, boolean until, List<String> problems) {
        String range = until ? "00:01 to 24:00" : "00:00 to 23:59";
        if (text == null) {
            problems.add(field + ": is required, a time HH:MM (" + range + ")");
            return null;
        }
        Matcher m = TIME.matcher(text);
        int minutes = m.matches() ? Integer.parseInt(m.group(1)) * 60 + Integer.parseInt(m.group(2)) : -1;
        if (minutes < 0 || minutes > MINUTES_PER_DAY || (until && minutes == 0) || (!until && minutes == MINUTES_PER_DAY)) {
            problems.add(field + ": must be a time HH:MM from " + range + ", got '" + PlanValidator.clip(text) + "'");
            return null;
        }
        return minutes;
    }

    private static int minutes(String text) {
        Matcher m = TIME.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a window time: " + text);
        }
        return Integer.parseInt(m.group(1)) * 60 + Integer.parseInt(m.group(2));
    }

    /** "MON-THU 09:00-16:00 Europe/Berlin, ...": the windows as a person reads them (refusal details). */
    public static String describe(List<AdvanceWindow> windows) {
        if (windows == null || windows.isEmpty()) {
            return "any time";
        }
        List<String> parts = new ArrayList<>();
        for (AdvanceWindow w : windows) {
            parts.add(String.join(",", w.days()).toUpperCase(Locale.ROOT) + " " + w.from() + "-" + w.until() + " "
                    + w.zone());
        }
        return String.join("; ", parts);
    }
}
