package dev.rollout.support;

import static io.restassured.RestAssured.given;

import java.nio.file.Files;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;

import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

/** Credentials in tests: the bootstrap admin by default, or no/other credentials explicitly. */
public final class Auth {

    private Auth() {}

    public static String bootstrapToken() {
        return DefaultCredentials.configValue("rollout.bootstrap-admin-token");
    }

    /** A request sent without any Authorization header. */
    public static RequestSpecification anonymous() {
        return given().header(DefaultCredentials.NO_CREDENTIALS, "1");
    }

    /** A request authenticated with this bearer token. */
    public static RequestSpecification as(String token) {
        return given().header("Authorization", "Bearer " + token);
    }

    /** Creates an API token (as the bootstrap admin) and returns its secret. */
    public static String createToken(String name, String role) {
        return given().contentType(ContentType.JSON).body(Map.of("name", name, "role", role))
                .post("/api/v1/tokens").then().statusCode(201).extract().path("token");
    }

    /** A fresh token of this role under a unique name; returns {name, secret}. */
    public static String[] newToken(String role) {
        String name = Api.unique(role);
        return new String[] { name, createToken(name, role) };
    }

    /** This service's role prefix in JWT role claims (rollout.jwt.role-prefix). */
    public static final String ROLE_PREFIX = "rollout:";

    /**
     * A JWT signed with the test issuer's key, valid for five minutes unless the claims say otherwise, with
     * these roles of this service (namespaced: {@code operator} is sent as {@code rollout:operator}).
     */
    public static String jwt(String subject, List<String> roles) {
        JwtClaims claims = claims(subject);
        if (roles != null) {
            claims.setStringListClaim("roles", roles.stream().map(r -> ROLE_PREFIX + r).toList());
        }
        return sign(claims, testIssuerKey());
    }

    public static JwtClaims claims(String subject) {
        JwtClaims claims = new JwtClaims();
        claims.setIssuer(SecurityResource.JWT_ISSUER);
        claims.setAudience(SecurityResource.JWT_AUDIENCE);
        claims.setSubject(subject);
        claims.setIssuedAtToNow();
        claims.setExpirationTimeMinutesInTheFuture(5);
        return claims;
    }

    public static String sign(JwtClaims claims, PrivateKey key) {
        try {
            JsonWebSignature jws = new JsonWebSignature();
            jws.setPayload(claims.toJson());
            jws.setKey(key);
            jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
            return jws.getCompactSerialization();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static PrivateKey testIssuerKey() {
        try {
            String pem = Files.readString(SecurityResource.JWT_PRIVATE_KEY);
            byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
            return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
