package dev.rollout.security;

import jakarta.enterprise.context.RequestScoped;

/**
 * Who is making the current request, as recorded in every history event. Until authentication is in
 * place every caller is "anonymous"; the name is the single seam authentication will fill.
 */
@RequestScoped
public class CurrentActor {

    public static final String ANONYMOUS = "anonymous";

    public String name() {
        return ANONYMOUS;
    }
}
