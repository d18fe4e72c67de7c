package dev.scratchlm.feedback.rater;

import at.favre.lib.crypto.bcrypt.BCrypt;
import dev.scratchlm.feedback.FeedbackConfig;
import dev.scratchlm.service.ApiError;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Rater accounts and their sessions. Passwords are hashed with bcrypt (cost 12); a session is a random 256-bit token
 * in an HttpOnly SameSite=Strict cookie, of which the database keeps only the SHA-256, so a leaked table signs no one in.
 */
@ApplicationScoped
public class Raters {
    public static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{1,39}");
    static final int COST = 12;
    static final int MIN_PASSWORD = 10;
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Checked against when the name is unknown, so a wrong name costs as long as a wrong password. */
    private static final byte[] DUMMY = BCrypt.withDefaults().hash(COST, "not-a-password".toCharArray());

    @Inject
    AgroalDataSource db;

    @Inject
    FeedbackConfig config;

    public void create(String name, String password) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw ApiError.invalid(
                    "name",
                    "a rater name is 2-40 characters of a-z, 0-9, '.', '_' or '-', starting with a letter or digit");
        }
        if (password == null || password.length() < MIN_PASSWORD || password.length() > 72) {
            throw ApiError.invalid("password", "a password has " + MIN_PASSWORD + " to 72 characters");
        }
        String hash = BCrypt.withDefaults().hashToString(COST, password.toCharArray());
        try (Connection c = db.getConnection();
                PreparedStatement s = c.prepareStatement(
                        "INSERT INTO raters (name, password_hash) VALUES (?, ?) ON CONFLICT DO NOTHING")) {
            s.setString(1, name);
            s.setString(2, hash);
            if (s.executeUpdate() == 0) throw ApiError.conflict("a rater named " + name + " exists");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public List<String> names() {
        List<String> out = new ArrayList<>();
        try (Connection c = db.getConnection();
                PreparedStatement s = c.prepareStatement("SELECT name FROM raters ORDER BY name");
                ResultSet r = s.executeQuery()) {
            while (r.next()) out.add(r.getString(1));
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    /** Failed sign-ins per name within {@link #LOCKOUT}; at {@link #MAX_FAILURES} the name is refused until they age out. */
    static final int MAX_FAILURES = 10;

    static final java.time.Duration LOCKOUT = java.time.Duration.ofMinutes(15);
    private final java.util.Map<String, java.util.ArrayDeque<Long>> failures =
            new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * @return a new session token for the rater, or empty when the name or password is wrong
     * @throws ApiError 429 after {@value #MAX_FAILURES} failures for the name within 15 minutes (per replica): guessing
     *                  a password costs a bcrypt check each, and this caps the guesses
     */
    public Optional<String> signIn(String name, String password) {
        String key = name == null ? "" : name.toLowerCase(java.util.Locale.ROOT);
        java.util.ArrayDeque<Long> recent = failures.computeIfAbsent(key, k -> new java.util.ArrayDeque<>());
        synchronized (recent) {
            long cutoff = System.nanoTime() - LOCKOUT.toNanos();
            while (!recent.isEmpty() && recent.peekFirst() < cutoff) recent.pollFirst();
            if (recent.size() >= MAX_FAILURES) {
                throw new ApiError(
                        429,
                        "too_many_attempts",
                        "too many failed sign-ins for this name: try again in " + LOCKOUT.toMinutes() + " minutes");
            }
        }
        Optional<String> token = check(name, password);
        synchronized (recent) {
            if (token.isPresent()) recent.clear();
            else recent.addLast(System.nanoTime());
        }
        return token;
    }

    private Optional<String> check(String name, String password) {
        String hash = null;
        try (Connection c = db.getConnection();
                PreparedStatement s = c.prepareStatement("SELECT password_hash FROM raters WHERE name = ?")) {
            s.setString(1, name == null ? "" : name);
            try (ResultSet r = s.executeQuery()) {
                if (r.next()) hash = r.getString(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        char[] given = (password == null ? "" : password).toCharArray();
        if (hash == null) {
            BCrypt.verifyer().verify(given, DUMMY);
            return Optional.empty();
        }
        if (!BCrypt.verifyer().verify(given, hash.toCharArray()).verified) return Optional.empty();
        byte[] raw = new byte[32];
        RANDOM.nextBytes(raw);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        try (Connection c = db.getConnection();
                PreparedStatement s =
                        c.prepareStatement("INSERT INTO sessions (token_sha256, rater, expires_at) VALUES (?, ?, ?)")) {
            s.setString(1, sha256(token));
            s.setString(2, name);
            s.setTimestamp(3, Timestamp.from(Instant.now().plus(config.sessionTtl())));
            s.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return Optional.of(token);
    }

    /** @return the signed-in rater of this token, if the session exists and has not expired */
    public Optional<String> rater(String token) {
        if (token == null || token.isEmpty() || token.length() > 100) return Optional.empty();
        try (Connection c = db.getConnection();
                PreparedStatement s = c.prepareStatement(
                        "SELECT rater FROM sessions WHERE token_sha256 = ? AND expires_at > now()")) {
            s.setString(1, sha256(token));
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? Optional.of(r.getString(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public void signOut(String token) {
        if (token == null) return;
        try (Connection c = db.getConnection();
                PreparedStatement s =
                        c.prepareStatement("DELETE FROM sessions WHERE token_sha256 = ? OR expires_at < now()")) {
            s.setString(1, sha256(token));
            s.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    static String sha256(String token) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
