package dev.rollout.security;

import static dev.rollout.support.Api.unique;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.keys.HmacKey;
import org.junit.jupiter.api.Test;

import dev.rollout.support.Api;
import dev.rollout.support.Auth;
import dev.rollout.support.SecurityResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/** JWT bearer tokens from the configured issuer (a key pair generated for the test run). */
@QuarkusTest
class JwtTest {

    @Test
    void aValidTokenActsAsItsSubjectWithItsRole() {
        String operator = Auth.jwt("alice@example.test", List.of("viewer", "operator"));
        String plan = Api.plan(unique("sso-plan"), "MANUAL", "PAUSE", Api.seedSteps("PT1H")).get("name").toString();
        Auth.as(operator).contentType(ContentType.JSON)
                .body(Api.plan(plan, "MANUAL", "PAUSE", Api.seedSteps("PT1H"))).post("/api/v1/plans")
                .then().statusCode(201).body("createdBy", equalTo("alice@example.test@sso.example.test"));
        String id = Auth.as(operator).contentType(ContentType.JSON)
                .body(Map.of("plan", plan, "target", unique("sso-target"), "version", "v1"))
                .post("/api/v1/rollouts").then().statusCode(201).extract().path("id");
        assertEquals("alice@example.test@sso.example.test", Api.history(id).get(0).get("actor"));
        // operator, not admin: no token management
        Auth.as(operator).get("/api/v1/tokens").then().statusCode(403);
    }

    @Test
    void aViewerTokenOnlyReads() {
        String viewer = Auth.jwt("bob", List.of("viewer"));
        Auth.as(viewer).get("/api/v1/rollouts").then().statusCode(200);
        Auth.as(viewer).contentType(ContentType.JSON).body(Map.of("plan", "x", "target", "y", "version", "z"))
                .post("/api/v1/rollouts").then().statusCode(403);
    }

    @Test
    void aSingleRoleStringAndUnknownRolesAreUnderstood() throws Exception {
        JwtClaims claims = Auth.claims("carol");
        claims.setStringClaim("roles", "rollout:deployer");
        Auth.as(Auth.sign(claims, Auth.testIssuerKey())).get("/api/v1/plans").then().statusCode(200);
        Auth.as(Auth.jwt("dave", List.of("superuser"))).get("/api/v1/plans").then().statusCode(403);
        Auth.as(Auth.jwt("erin", null)).get("/api/v1/plans").then().statusCode(403);
    }

    @Test
    void tokensNotMadeForThisServiceAreRefused() throws Exception {
        JwtClaims otherAudience = Auth.claims("mallory");
        otherAudience.setAudience("another-service");
        JwtClaims otherIssuer = Auth.claims("mallory");
        otherIssuer.setIssuer("https://evil.example.test");
        JwtClaims expired = Auth.claims("mallory");
        expired.setExpirationTime(NumericDate.fromSeconds(NumericDate.now().getValue() - 600));
        JwtClaims noExpiry = Auth.claims("mallory");
        noExpiry.unsetClaim("exp");
        JwtClaims noSubject = Auth.claims("mallory");
        noSubject.unsetClaim("sub");
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        for (JwtClaims claims : List.of(otherAudience, otherIssuer, expired, noExpiry, noSubject)) {
            claims.setStringListClaim("roles", List.of("rollout:admin"));
            refused(Auth.sign(claims, Auth.testIssuerKey()));
        }
        JwtClaims good = Auth.claims("mallory");
        good.setStringListClaim("roles", List.of("rollout:admin"));
        refused(Auth.sign(good, generator.generateKeyPair().getPrivate()));
        // unsigned ("alg": "none") and tampered tokens
        String payload = java.util.Base64.getUrlEncoder().withoutPadding()
                .encodeToString(good.toJson().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        refused("eyJhbGciOiJub25lIn0." + payload + ".");
        String valid = Auth.sign(good, Auth.testIssuerKey());
        String[] parts = valid.split("\\.");
        JwtClaims escalated = Auth.claims("mallory");
        escalated.setStringListClaim("roles", List.of("rollout:admin", "rollout:superadmin"));
        refused(parts[0] + "." + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                escalated.toJson().getBytes(java.nio.charset.StandardCharsets.UTF_8)) + "." + parts[2]);
        // the untampered one works, as the control
        Auth.as(valid).get("/api/v1/tokens").then().statusCode(200);
    }

    @Test
    void aTokenNotYetValidIsRefused() {
        // well beyond the 30 s of tolerated clock skew
        JwtClaims notYet = Auth.claims("mallory");
        notYet.setStringListClaim("roles", List.of("rollout:admin"));
        notYet.setNotBefore(NumericDate.fromSeconds(NumericDate.now().getValue() + 120));
        refused(Auth.sign(notYet, Auth.testIssuerKey()));
        // the control: the same claims, valid from now
        notYet.setNotBefore(NumericDate.now());
        Auth.as(Auth.sign(notYet, Auth.testIssuerKey())).get("/api/v1/tokens").then().statusCode(200);
    }

    @Test
    void anHs256TokenSignedWithThePublicKeyIsRefused() throws Exception {
        // The algorithm-confusion attack: the public key is public, so a token "signed" with it as an HMAC
        // secret must never be taken as the issuer's.
        JwtClaims claims = Auth.claims("mallory");
        claims.setStringListClaim("roles", List.of("rollout:admin"));
        String pem = Files.readString(SecurityResource.JWT_PUBLIC_KEY);
        byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
        for (byte[] secret : List.of(pem.getBytes(StandardCharsets.US_ASCII), der)) {
            JsonWebSignature jws = new JsonWebSignature();
            jws.setPayload(claims.toJson());
            jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.HMAC_SHA256);
            jws.setKey(new HmacKey(secret));
            refused(jws.getCompactSerialization());
        }
    }

    private static void refused(String token) {
        Auth.as(token).get("/api/v1/plans").then().statusCode(401).contentType("application/problem+json")
                .body("type", equalTo("/problems/unauthenticated"));
    }
}
