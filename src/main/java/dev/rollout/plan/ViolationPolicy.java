package dev.rollout.plan;

/** What the controller does by itself when a gate is violated. */
public enum ViolationPolicy { PAUSE, ROLLBACK }
