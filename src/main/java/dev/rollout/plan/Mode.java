package dev.rollout.plan;

/** MANUAL: a caller must ask to advance. AUTOMATIC: the controller advances by itself when the rules allow. */
public enum Mode { MANUAL, AUTOMATIC }
