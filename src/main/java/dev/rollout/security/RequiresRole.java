package dev.rollout.security;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The least role that may call a resource method (or every method of a resource class). Checked by
 * {@link AuthFilter} before the method runs. An API method without it is refused to everyone: a
 * forgotten annotation fails closed.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ ElementType.METHOD, ElementType.TYPE })
public @interface RequiresRole {
    Role value();
}
