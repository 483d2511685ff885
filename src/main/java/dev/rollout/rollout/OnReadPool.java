package dev.rollout.rollout;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * An API method that reads the database only through {@code ReadPool}, on the event loop: it takes no
 * permit of the JDBC pool ({@link ConnectionReserve}), whose connections it does not use. JDBC work done for
 * it on the side (a credential or plan not cached yet) takes a permit of its own
 * ({@link ConnectionReserve#withPermit}).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface OnReadPool {
}
